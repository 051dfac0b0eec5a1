package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.BackendKind;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.HostCommand;
import java.io.Reader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The Ceph RBD backend installed into the running node, on a real one-node Ceph cluster (the storage-ceph module's
 * ceph-env.sh, its monitor on 127.0.0.1): a pool whose monitors do not answer is refused and not created; removing
 * the backend's feature leaves the pool and its images as they were, and installing it again brings them back; a VM
 * disk that names no format is made raw, the pool's own format.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CephHotSwapIT extends QuantixTestSupport {
    @Inject
    FeaturesService features;
    @Inject
    StorageService storage;
    @Inject
    NodeService node;
    @Inject
    VmService vms;

    @Test
    public void theCephPoolAndItsImagesOutliveTheBackendsFeature() throws Exception {
        try (TestServer ceph = new TestServer("storage-ceph", "ceph-env.sh")) {
            ceph.start();
            // monitors, rbdPool, user, keyring: what a node is given; conf is the cluster admin's own view
            Properties cluster = new Properties();
            try (Reader in = Files.newBufferedReader(ceph.dir().resolve("cluster.env"))) {
                cluster.load(in);
            }
            String adminConf = (String) cluster.remove("conf");
            Map<String, String> options = new HashMap<>();
            cluster.stringPropertyNames().forEach(k -> options.put(k, cluster.getProperty(k)));

            installBackend(features, node, "quantix-storage-ceph", BackendKind.STORAGE, "ceph");
            Map<String, String> nowhere = new HashMap<>(options);
            try (ServerSocket closed = new ServerSocket(0)) {
                nowhere.put("monitors", "127.0.0.1:" + closed.getLocalPort()); // a port nothing listens on once closed
            }
            assertFails(ErrorCode.BACKEND_ERROR, () -> storage.createPool(new StoragePoolSpec("nowhere", "ceph", nowhere)));
            assertTrue("a pool that cannot be reached is not created",
                    storage.listPools().stream().noneMatch(p -> p.name().equals("nowhere")));

            storage.createPool(new StoragePoolSpec("rbd1", "ceph", options));
            storage.createVolume("rbd1", new VolumeSpec("root", 64 * Validation.MIB, VolumeFormat.RAW));
            storage.createTemplate("rbd1", "root", "golden");
            storage.cloneVolume("rbd1", "golden", "vm1");
            assertEquals(List.of("golden", "root", "vm1"), storage.listVolumes("rbd1").stream().map(Volume::name).toList());

            String rbdPool = options.get("rbdPool");
            swapStorageBackend(features, storage, "quantix-storage-ceph", "rbd1", () -> assertEquals(
                    "the images stay in the cluster", List.of("golden", "root", "vm1"),
                    HostCommand.run(List.of("rbd", "-c", adminConf, "ls", rbdPool)).lines().sorted().toList()));

            // a disk that names no format gets the pool's own: raw, as Ceph has no qcow2 (qcow2 would be refused)
            Vm vm = vms.create(VmSpec.builder("qx-st-cephvm").disk(DiskSpec.of("rbd1", 64 * Validation.MIB)).build(), false);
            AttachedDisk disk = vm.disks().get(0);
            assertEquals(VolumeFormat.RAW, disk.format());
            assertEquals("the VM records the format its disk got", Optional.of(VolumeFormat.RAW),
                    vms.get(vm.name()).spec().disks().get(0).format());
            assertEquals("the pool lists it as a raw volume", List.of(VolumeFormat.RAW), storage.listVolumes("rbd1")
                    .stream().filter(v -> v.ref().equals(disk.volume())).map(Volume::format).toList());
            assertTrue("it is an RBD image", HostCommand.run(List.of("rbd", "-c", adminConf, "ls", rbdPool)).lines()
                    .anyMatch(disk.volume().volume()::equals));
            vms.delete(vm.name(), true);

            for (String v : List.of("vm1", "golden", "root")) {
                storage.deleteVolume("rbd1", v);
            }
            storage.deletePool("rbd1");
            assertEquals("nothing left in the cluster", "",
                    HostCommand.run(List.of("rbd", "-c", adminConf, "ls", rbdPool)).strip());
            features.uninstallFeature("quantix-storage-ceph");
        }
    }
}
