package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.quantix.api.BackendKind;
import io.quantix.api.ErrorCode;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The iSCSI backend installed into the running node, on a real tgtd with CHAP (the storage-iscsi module's tgt-env.sh,
 * on 127.0.0.1): a pool on a portal nobody serves or with a wrong CHAP password is refused and not created; removing
 * the backend's feature leaves the pool (UNAVAILABLE) and its LUNs, and installing it again lists the same LUNs; deleting
 * the pool leaves the LUNs, which are the target administrator's.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IscsiHotSwapIT extends QuantixTestSupport {
    private static final String IQN = "iqn.2026-11.io.quantix:qx-st-itests";
    private static final String USER = "qx-node";

    @Inject
    FeaturesService features;
    @Inject
    StorageService storage;
    @Inject
    NodeService node;

    @Test
    public void theIscsiPoolAndItsLunsOutliveTheBackendsFeature() throws Exception {
        try (TestServer tgt = new TestServer("storage-iscsi", "tgt-env.sh")) {
            Path secret = secretFile(tgt.dir().resolve("chap-secret"), "chap-Secret-67890");
            Path wrong = secretFile(tgt.dir().resolve("wrong-secret"), "not-the-password");
            String portal = "127.0.0.1:" + tgt.start(IQN, USER);
            installBackend(features, node, "quantix-storage-iscsi", BackendKind.STORAGE, "iscsi");

            assertFails(ErrorCode.BACKEND_ERROR, () -> storage.createPool(pool("down", nobodyListening(), secret)));
            assertFails(ErrorCode.INVALID_ARGUMENT, () -> storage.createPool(pool("badchap", portal, wrong)));
            assertTrue("a pool that cannot log in is not created", storage.listPools().stream()
                    .noneMatch(p -> p.name().equals("down") || p.name().equals("badchap")));

            storage.createPool(pool("san", portal, secret));
            List<Volume> luns = storage.listVolumes("san");
            assertEquals(List.of("lun1", "lun2"), luns.stream().map(Volume::name).toList());
            assertEquals(List.of(64 * Validation.MIB, 32 * Validation.MIB), luns.stream().map(Volume::capacity).toList());

            swapStorageBackend(features, storage, "quantix-storage-iscsi", "san", () -> assertTrue(
                    "the LUNs' backing files are untouched", Files.size(tgt.dir().resolve("lun1.img")) == 64 * Validation.MIB
                    && Files.size(tgt.dir().resolve("lun2.img")) == 32 * Validation.MIB));
            assertEquals(options(portal, secret), storage.getPool("san").spec().options());

            // the LUNs are the target administrator's: the pool goes, they stay as they are on the target
            storage.deletePool("san");
            assertTrue(storage.listPools().stream().noneMatch(p -> p.name().equals("san")));
            assertEquals(64 * Validation.MIB, Files.size(tgt.dir().resolve("lun1.img")));
            features.uninstallFeature("quantix-storage-iscsi");
        }
    }

    private static StoragePoolSpec pool(String name, String portal, Path secret) {
        return new StoragePoolSpec(name, "iscsi", options(portal, secret));
    }

    private static Map<String, String> options(String portal, Path secret) {
        Map<String, String> options = new HashMap<>();
        options.put("portal", portal);
        options.put("target", IQN);
        options.put("chapUser", USER);
        options.put("chapSecretFile", secret.toString());
        return options;
    }

    /** The CHAP password as the backend wants it: in a file only its owner reads. */
    private static Path secretFile(Path file, String password) throws Exception {
        Files.writeString(file, password + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String nobodyListening() throws Exception {
        try (ServerSocket closed = new ServerSocket(0)) {
            return "127.0.0.1:" + closed.getLocalPort();
        }
    }
}
