package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** VM creation is all or nothing, and every power action lands in the state a user expects. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VmCreationIT extends QuantixTestSupport {
    @Inject
    VmService vms;
    @Inject
    StorageService storage;
    @Inject
    BundleContext bundleContext;

    private Path pool(String name) throws IOException {
        Path dir = Files.createTempDirectory("qx-" + name);
        storage.createPool(new StoragePoolSpec(name, "dir", Map.of("path", dir.toString(), "capacity", "1G")));
        return dir;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    public void aFailingStepLeavesNothingBehind() throws Exception {
        Path dir = pool("small");
        VmSpec tooBig = VmSpec.builder("big").disk(DiskSpec.of("small", 100 * Validation.MIB))
                .disk(DiskSpec.of("small", 2 * Validation.GIB)).build();
        assertFails(ErrorCode.INSUFFICIENT_CAPACITY, () -> vms.create(tooBig, true));
        assertEquals("the first disk was rolled back", List.of(), files(dir));
        assertTrue(storage.listVolumes("small").isEmpty());
        assertFails(ErrorCode.NOT_FOUND, () -> vms.get("big"));

        // a NIC on a network that does not exist: refused before anything is created
        VmSpec noNet = VmSpec.builder("lonely").disk(DiskSpec.of("small", 100 * Validation.MIB))
                .nic(NicSpec.of("nowhere")).build();
        assertFails(ErrorCode.NOT_FOUND, () -> vms.create(noNet, false));
        assertEquals(List.of(), files(dir));

        // a disk volume name taken by a user's own volume: the VM's other disk is rolled back too
        storage.createVolume("small", new VolumeSpec("clash-disk1", 16 * Validation.MIB, VolumeFormat.RAW));
        VmSpec clash = VmSpec.builder("clash").disk(DiskSpec.of("small", 32 * Validation.MIB))
                .disk(DiskSpec.of("small", 32 * Validation.MIB)).build();
        assertFails(ErrorCode.ALREADY_EXISTS, () -> vms.create(clash, false));
        assertEquals(List.of(dir.resolve("clash-disk1.raw")), files(dir));
        assertFalse(vms.list().stream().anyMatch(vm -> vm.name().equals("clash")));
        storage.deleteVolume("small", "clash-disk1");
    }

    @Test
    public void badInputIsRefusedAtTheEdge() throws Exception {
        assertFails(ErrorCode.INVALID_ARGUMENT, () -> VmSpec.builder("<script>").build());
        assertFails(ErrorCode.INVALID_ARGUMENT, () -> VmSpec.builder("ok").memoryMiB(1L << 40).build());
        assertFails(ErrorCode.NOT_FOUND, () -> vms.create(VmSpec.builder("nopool").disk(DiskSpec.of("missing", Validation.GIB)).build(), false));
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> vms.create(VmSpec.builder("nohv").hypervisor("cloud-hypervisor").build(), false));
        assertFails(ErrorCode.INVALID_ARGUMENT,
                () -> storage.createPool(new StoragePoolSpec("rel", "dir", Map.of("path", "relative/dir"))));
        assertFails(ErrorCode.NOT_FOUND, () -> storage.getPool("rel"));
        // a folder outside the ones the node lets clients name is refused before anything is made there
        assertFails(ErrorCode.INVALID_ARGUMENT,
                () -> storage.createPool(new StoragePoolSpec("etc", "dir", Map.of("path", "/etc/quantix-pool"))));
        assertFalse("nothing was made outside the allowed folders", java.nio.file.Files.exists(java.nio.file.Path.of("/etc/quantix-pool")));
        assertFails(ErrorCode.NOT_FOUND, () -> storage.getPool("etc"));
        assertFalse(vms.list().stream().anyMatch(vm -> List.of("nopool", "nohv").contains(vm.name())));
    }

    @Test
    public void lifecycleFromCreateToDelete() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        EventHandler recorder = e -> {
            if ("app".equals(e.getProperty(QuantixEvent.SUBJECT))) {
                events.add(e.getTopic());
            }
        };
        ServiceRegistration<EventHandler> subscription = bundleContext.registerService(EventHandler.class, recorder,
                new Hashtable<>(Map.of(EventConstants.EVENT_TOPIC, "io/quantix/*")));
        Path dir = pool("life");
        Vm vm = vms.create(VmSpec.builder("app").vcpus(2).memoryMiB(256).disk(DiskSpec.of("life", 64 * Validation.MIB)).build(), false);
        assertEquals(PowerState.STOPPED, vm.state());
        assertEquals(PowerState.RUNNING, vms.power("app", PowerAction.START).state());
        assertFails(ErrorCode.CONFLICT, () -> vms.power("app", PowerAction.START));
        assertEquals(PowerState.PAUSED, vms.power("app", PowerAction.PAUSE).state());
        assertEquals(PowerState.RUNNING, vms.power("app", PowerAction.RESUME).state());
        assertFails(ErrorCode.CONFLICT, () -> vms.delete("app", true));
        assertFails(ErrorCode.CONFLICT, () -> storage.deleteVolume("life", "app-disk0"));
        assertEquals(PowerState.STOPPED, vms.power("app", PowerAction.FORCE_STOP).state());
        vms.delete("app", false);
        assertFails(ErrorCode.NOT_FOUND, () -> vms.get("app"));
        assertEquals("--keep-volumes keeps the disk", List.of(dir.resolve("app-disk0.qcow2")), files(dir));
        storage.deleteVolume("life", "app-disk0");
        assertEquals(List.of(), files(dir));

        List<String> expected = List.of("io/quantix/vm/CREATED", "io/quantix/vm/STARTED", "io/quantix/vm/PAUSED",
                "io/quantix/vm/RESUMED", "io/quantix/vm/STOPPED", "io/quantix/vm/DELETED");
        await("every event delivered", () -> events.size() >= expected.size());
        subscription.unregister();
        assertEquals(expected, events);
    }
}
