package io.quantix.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The set of first-boot files, and what a start finds after a kill at each point of the commit. */
class SetupCommitTest {
    private static final Argon2id.Params FAST = new Argon2id.Params(256, 1, 1);
    @TempDir
    Path config;
    @TempDir
    Path data;

    @Test
    void theWizardsFilesArriveWithTheAdminAndTheMarker() throws Exception {
        AdminService service = new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST);
        assertFalse(service.setupComplete());
        service.completeSetup("admin", "correct horse battery".toCharArray(),
                Map.of("network.yaml", "mode: dhcp\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(service.setupComplete());
        assertTrue(service.exists());
        assertEquals("mode: dhcp\n", Files.readString(config.resolve("network.yaml")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.resolve("admin.yaml"))));
        assertFalse(Files.exists(config.resolve(SetupCommit.STAGING)));
        assertFalse(Files.exists(config.resolve(SetupCommit.COMMITTED)));
    }

    @Test
    void aKillBeforeTheCommitRenameLeavesNoSetupAtTheNextStart() throws Exception {
        Path staging = Files.createDirectory(config.resolve(SetupCommit.STAGING));
        Files.writeString(staging.resolve("admin.yaml"), "username: admin\n");
        Files.writeString(staging.resolve("network.yaml"), "mode: dhcp\n");
        AdminService service = new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST);
        assertFalse(service.setupComplete());
        assertFalse(service.exists());
        assertFalse(Files.exists(config.resolve("network.yaml")));
        assertFalse(Files.exists(staging));
    }

    @Test
    void aKillAfterTheCommitRenameIsFinishedAtTheNextStart() throws Exception {
        // a committed set of which admin.yaml was already moved into place when the node died
        AdminService first = new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST);
        first.completeSetup("admin", "correct horse battery".toCharArray(), Map.of());
        Path committed = Files.createDirectory(config.resolve(SetupCommit.COMMITTED));
        Files.move(config.resolve(SetupCommit.COMPLETE), committed.resolve(SetupCommit.COMPLETE));
        Files.writeString(committed.resolve("network.yaml"), "mode: static\n");
        AdminService again = new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST);
        assertTrue(again.setupComplete());
        assertEquals("mode: static\n", Files.readString(config.resolve("network.yaml")));
        assertFalse(Files.exists(committed));
    }

    @Test
    void anAdminFromBeforeTheMarkerMeansTheNodeIsSetUp() throws Exception {
        new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST)
                .create("admin", "correct horse battery".toCharArray());
        Files.delete(config.resolve(SetupCommit.COMPLETE));
        assertTrue(new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST).setupComplete());
    }

    @Test
    void setupFilesCannotReplaceTheAdminOrLeaveTheFolder() {
        AdminService service = new AdminService(config, data, Clock.systemUTC(), Duration.ofHours(1), FAST);
        for (String name : new String[] {"admin.yaml", "../etc/passwd", ".setup_complete"}) {
            QuantixException e = assertThrows(QuantixException.class, () -> service.completeSetup("admin",
                    "correct horse battery".toCharArray(), Map.of(name, new byte[0])));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        }
        assertFalse(service.exists());
        assertFalse(service.setupComplete());
    }

    @Test
    void auditDetailsStayOnOneLine() {
        assertEquals("\"rm -rf /tmp/x; echo \\\"hi\\\"\\u000a\"", AuditLog.quoteDetail("rm -rf /tmp/x; echo \"hi\"\n"));
    }
}
