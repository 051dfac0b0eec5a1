package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host path confinement on a real file system, symlinks included. */
class EdgePolicyTest {
    @TempDir
    Path work;
    private Path root;
    private EdgePolicy policy;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(work.resolve("data"));
        Files.createDirectories(work.resolve("outside"));
        policy = new EdgePolicy(List.of(root), 64 * Validation.GIB);
    }

    private void refused(String path) {
        QuantixException e = assertThrows(QuantixException.class, () -> policy.hostPath("ISO path", path), path);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), path);
    }

    @Test
    void pathsUnderAnAllowedRootAreAcceptedWhetherOrNotTheyExistYet() throws IOException {
        Files.createDirectories(root.resolve("isos"));
        Files.writeString(root.resolve("isos/debian.iso"), "iso");
        for (Path p : List.of(root, root.resolve("isos/debian.iso"), root.resolve("pools/new/deeper"))) {
            assertEquals(p.toString(), policy.hostPath("ISO path", p.toString()));
        }
    }

    @Test
    void pathsOutsideTheRootsAreRefused() {
        refused("/etc/shadow");
        refused(work.resolve("outside/x.iso").toString());
        refused(work.resolve("data-not-really").toString()); // a prefix of the root's name is not the root
        refused("/");
    }

    @Test
    void dotDotRelativeAndControlCharactersAreRefusedEvenWhenTheyWouldLandInside() {
        refused(root + "/../outside/x.iso");
        refused(root + "/isos/../debian.iso");
        refused(root + "/./x.iso");
        refused("data/x.iso");
        refused(root + "/x.iso\n/etc/shadow");
        refused("");
    }

    @Test
    void aSymlinkCannotLeadOutOfTheRoot() throws IOException {
        Path out = work.resolve("outside");
        Files.writeString(out.resolve("secret"), "s");
        Files.createSymbolicLink(root.resolve("file-link"), out.resolve("secret"));
        Files.createSymbolicLink(root.resolve("dir-link"), out);
        Files.createSymbolicLink(root.resolve("dangling"), work.resolve("nowhere"));

        refused(root.resolve("file-link").toString());
        refused(root.resolve("dir-link/secret").toString());
        refused(root.resolve("dir-link/not-yet/deeper").toString());
        refused(root.resolve("dangling").toString());
        refused(root.resolve("dangling/child").toString());
    }

    @Test
    void aSymlinkThatStaysInsideIsFineAndARootBehindASymlinkWorks() throws IOException {
        Files.createDirectories(root.resolve("isos"));
        Files.createSymbolicLink(root.resolve("library"), root.resolve("isos"));
        assertEquals(root + "/library/x.iso", policy.hostPath("ISO path", root + "/library/x.iso"));

        Path linkedRoot = Files.createSymbolicLink(work.resolve("data-link"), root);
        EdgePolicy viaLink = new EdgePolicy(List.of(linkedRoot), Validation.GIB);
        assertEquals(root + "/x.iso", viaLink.hostPath("ISO path", root + "/x.iso"));
        assertEquals(linkedRoot + "/x.iso", viaLink.hostPath("ISO path", linkedRoot + "/x.iso"));
    }

    @Test
    void theConfiguredFoldersAreAllowedBesidesTheDataDirectory() throws IOException {
        Path isos = Files.createDirectories(work.resolve("isos"));
        Path ceph = Files.createDirectories(work.resolve("ceph"));
        EdgePolicy configured = new EdgePolicy(config(new String[] {isos + ", " + ceph}));

        assertEquals(isos + "/a.iso", configured.hostPath("ISO path", isos + "/a.iso"));
        assertEquals(ceph + "/k.keyring", configured.hostPath("keyring", ceph + "/k.keyring"));
        String data = io.quantix.api.spi.NodeDirectories.data().resolve("pools/p1").toString();
        assertEquals(data, configured.hostPath("dir pool path", data));
        assertThrows(QuantixException.class, () -> configured.hostPath("ISO path", work.resolve("outside/a.iso").toString()));
    }

    private static EdgePolicy.Config config(String[] roots) {
        return (EdgePolicy.Config) java.lang.reflect.Proxy.newProxyInstance(EdgePolicyTest.class.getClassLoader(),
                new Class<?>[] {EdgePolicy.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "allowedRoots" -> roots;
                    case "maxUploadBytes" -> Validation.GIB;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theUploadLimitIsTheSmallerOfTheClientsAndTheNodes() {
        EdgePolicy small = new EdgePolicy(List.of(root), Validation.MIB);
        assertEquals(Validation.MIB, small.uploadLimit(Long.MAX_VALUE));
        assertEquals(4096, small.uploadLimit(4096));
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> small.uploadLimit(0)).code());
    }
}
