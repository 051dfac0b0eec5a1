package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.quantix.api.Availability;
import io.quantix.api.BackendKind;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
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
 * The plug-in contract: removing a backend's feature makes its objects UNAVAILABLE, never deletes them,
 * and installing it again brings them back as they were.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT extends QuantixTestSupport {
    @Inject
    FeaturesService features;
    @Inject
    VmService vms;
    @Inject
    StorageService storage;
    @Inject
    NodeService node;

    @Test
    public void backendsComeAndGoWithoutLosingAnything() throws Exception {
        assertTrue("the node says it runs on the test driver", node.info().simulated());
        Path poolDir = Files.createTempDirectory("qx-hotswap-pool");
        storage.createPool(new StoragePoolSpec("swap", "dir", Map.of("path", poolDir.toString(), "capacity", "1G")));
        Vm web = vms.create(VmSpec.builder("web").disk(DiskSpec.of("swap", 64 * Validation.MIB)).tag("prod").build(), true);
        assertEquals(PowerState.RUNNING, web.state());
        Volume disk = storage.listVolumes("swap").get(0);
        assertEquals("web-disk0", disk.name());
        assertTrue(Files.exists(poolDir.resolve("web-disk0.qcow2")));

        // storage backend away: pool UNAVAILABLE, VM still listed and running, no volume operation possible
        features.uninstallFeature("quantix-storage-dir");
        await("pool unavailable", () -> storage.getPool("swap").status() == Availability.UNAVAILABLE);
        assertEquals(PowerState.RUNNING, vms.get("web").state());
        assertFails(ErrorCode.BACKEND_UNAVAILABLE,
                () -> storage.createVolume("swap", new VolumeSpec("extra", 16 * Validation.MIB, VolumeFormat.QCOW2)));
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> storage.listVolumes("swap"));
        assertTrue("the volume file is untouched", Files.exists(poolDir.resolve("web-disk0.qcow2")));

        features.installFeature("quantix-storage-dir");
        await("pool available", () -> storage.getPool("swap").status() == Availability.AVAILABLE);
        assertEquals(List.of(disk), storage.listVolumes("swap"));

        // hypervisor away: VM listed as UNAVAILABLE with its definition; nothing can act on it
        features.uninstallFeature("quantix-hypervisor-libvirt");
        await("VM unavailable", () -> vms.get("web").state() == PowerState.UNAVAILABLE);
        Vm gone = vms.get("web");
        assertEquals(web.id(), gone.id());
        assertEquals(web.disks(), gone.disks());
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> vms.power("web", PowerAction.FORCE_STOP));
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> vms.create(VmSpec.builder("db").build(), false));
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> vms.delete("web", true));

        features.installFeature("quantix-hypervisor-libvirt");
        await("VM back", () -> vms.get("web").state() == PowerState.RUNNING);
        Vm back = vms.get("web");
        assertEquals(web.id(), back.id());
        assertEquals(web.spec(), back.spec());
        assertEquals(web.disks(), back.disks());

        // and it is fully usable again
        assertEquals(PowerState.STOPPED, vms.power("web", PowerAction.FORCE_STOP).state());
        vms.delete("web", true);
        assertTrue(storage.listVolumes("swap").isEmpty());
        assertTrue(vms.list().stream().noneMatch(vm -> vm.name().equals("web")));
    }

    @Test
    public void twoHypervisorsSideBySideEachOwningItsVms() throws Exception {
        features.installFeature("quantix-hypervisor-cloudhypervisor");
        await("cloud-hypervisor bound", () -> node.backends().stream()
                .anyMatch(b -> b.kind() == BackendKind.HYPERVISOR && b.name().equals("cloud-hypervisor")));
        Vm ch = vms.create(VmSpec.builder("ch-vm").hypervisor("cloud-hypervisor").build(), false);
        Vm lv = vms.create(VmSpec.builder("lv-vm").build(), true);
        assertEquals(PowerState.STOPPED, ch.state());
        assertEquals("cloud-hypervisor", vms.get("ch-vm").spec().hypervisor());

        features.uninstallFeature("quantix-hypervisor-cloudhypervisor");
        await("only its VMs unavailable", () -> vms.get("ch-vm").state() == PowerState.UNAVAILABLE);
        assertEquals(PowerState.RUNNING, vms.get("lv-vm").state());
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> vms.power("ch-vm", PowerAction.START));

        features.installFeature("quantix-hypervisor-cloudhypervisor");
        await("its VMs back", () -> vms.get("ch-vm").state() == PowerState.STOPPED);
        assertEquals(ch.id(), vms.get("ch-vm").id());
        assertEquals(lv.id(), vms.get("lv-vm").id());

        vms.delete("ch-vm", true);
        vms.power("lv-vm", PowerAction.FORCE_STOP);
        vms.delete("lv-vm", true);
        features.uninstallFeature("quantix-hypervisor-cloudhypervisor");
    }
}
