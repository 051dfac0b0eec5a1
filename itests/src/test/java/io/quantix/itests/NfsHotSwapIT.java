package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.quantix.api.Availability;
import io.quantix.api.BackendKind;
import io.quantix.api.ErrorCode;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
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
    private static final String ENV_SCRIPT = "quantix.itests.nfsEnv";
    @Inject
    FeaturesService features;
    @Inject
    StorageService storage;
    @Inject
    NodeService node;

    @Override
    @Configuration
    public Option[] config() {
        String script = new File(System.getProperty("basedir", "."), "../bundles/storage-nfs/src/test/sh/nfs-env.sh")
                .getAbsolutePath();
        return OptionUtils.combine(super.config(), systemProperty(ENV_SCRIPT).value(script));
    }

    @Test
    public void theNfsPoolAndItsVolumesOutliveTheBackendsFeature() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "qx-st-itnfs");
        String export = nfsEnv("start", dir);
        try {
            features.installFeature("quantix-storage-nfs");
            await("nfs backend bound", () -> node.backends().stream()
                    .anyMatch(b -> b.kind() == BackendKind.STORAGE && b.name().equals("nfs")));
            assertFails(ErrorCode.INVALID_ARGUMENT, () -> storage.createPool(new StoragePoolSpec("bad", "nfs",
                    Map.of("server", "127.0.0.1", "export", export, "path", "no-such-folder"))));
            assertTrue("a pool that cannot be used is not created",
                    storage.listPools().stream().noneMatch(p -> p.name().equals("bad")));
            storage.createPool(new StoragePoolSpec("shared", "nfs", Map.of("server", "127.0.0.1", "export", export)));
            Volume root = storage.createVolume("shared", new VolumeSpec("root", 64 * Validation.MIB, VolumeFormat.QCOW2));
            storage.createTemplate("shared", "root", "golden");
            storage.cloneVolume("shared", "golden", "vm1");
            List<Volume> before = storage.listVolumes("shared");
            assertEquals(List.of("golden", "root", "vm1"), before.stream().map(Volume::name).toList());

            features.uninstallFeature("quantix-storage-nfs");
            await("pool unavailable", () -> storage.getPool("shared").status() == Availability.UNAVAILABLE);
            assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> storage.listVolumes("shared"));
            assertTrue("the volume files stay on the export", Files.exists(Path.of(export, "root.qcow2"))
                    && Files.exists(Path.of(export, "vm1.qcow2")) && Files.exists(Path.of(export, "templates/golden.qcow2")));

            features.installFeature("quantix-storage-nfs");
            await("pool available", () -> storage.getPool("shared").status() == Availability.AVAILABLE);
            assertEquals(before, storage.listVolumes("shared"));
            assertEquals(root, storage.listVolumes("shared").get(1));

            for (String v : List.of("vm1", "golden", "root")) {
                storage.deleteVolume("shared", v);
            }
            storage.deletePool("shared");
            features.uninstallFeature("quantix-storage-nfs");
        } finally {
            nfsEnv("stop", dir);
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static String nfsEnv(String action, Path dir) throws Exception {
        Process p = new ProcessBuilder("sh", System.getProperty(ENV_SCRIPT), action, dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals("nfs-env.sh " + action, 0, p.waitFor());
        return out;
    }
}
