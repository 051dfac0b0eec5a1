package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.quantix.api.BackendKind;
import io.quantix.api.ErrorCode;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The NFS backend installed into the running node, on a real nfs-ganesha (the storage-nfs module's nfs-env.sh, on
 * 127.0.0.1): removing its feature leaves the pool and its volumes as they were, and installing it again brings them
 * back. Needs root, as the module's own integration tests do.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NfsHotSwapIT extends QuantixTestSupport {
    @Inject
    FeaturesService features;
    @Inject
    StorageService storage;
    @Inject
    NodeService node;

    @Test
    public void theNfsPoolAndItsVolumesOutliveTheBackendsFeature() throws Exception {
        try (TestServer ganesha = new TestServer("storage-nfs", "nfs-env.sh")) {
            String export = ganesha.start();
            installBackend(features, node, "quantix-storage-nfs", BackendKind.STORAGE, "nfs");
            assertFails(ErrorCode.INVALID_ARGUMENT, () -> storage.createPool(new StoragePoolSpec("bad", "nfs",
                    Map.of("server", "127.0.0.1", "export", export, "path", "no-such-folder"))));
            assertTrue("a pool that cannot be used is not created",
                    storage.listPools().stream().noneMatch(p -> p.name().equals("bad")));
            storage.createPool(new StoragePoolSpec("shared", "nfs", Map.of("server", "127.0.0.1", "export", export)));
            Volume root = storage.createVolume("shared", new VolumeSpec("root", 64 * Validation.MIB, VolumeFormat.QCOW2));
            storage.createTemplate("shared", "root", "golden");
            storage.cloneVolume("shared", "golden", "vm1");
            assertEquals(List.of("golden", "root", "vm1"), storage.listVolumes("shared").stream().map(Volume::name).toList());

            swapStorageBackend(features, storage, "quantix-storage-nfs", "shared", () -> assertTrue(
                    "the volume files stay on the export", Files.exists(Path.of(export, "root.qcow2"))
                    && Files.exists(Path.of(export, "vm1.qcow2")) && Files.exists(Path.of(export, "templates/golden.qcow2"))));
            assertEquals(root, storage.listVolumes("shared").get(1));

            for (String v : List.of("vm1", "golden", "root")) {
                storage.deleteVolume("shared", v);
            }
            storage.deletePool("shared");
            features.uninstallFeature("quantix-storage-nfs");
        }
    }
}
