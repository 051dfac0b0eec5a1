package io.quantix.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.BootDevice;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.NetworkType;
import io.quantix.api.NicModel;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.proto.node.v1.DiskSpec;
import io.quantix.proto.node.v1.NetworkSpec;
import io.quantix.proto.node.v1.NicSpec;
import io.quantix.proto.node.v1.VMSpec;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ProtosTest {

    @Test
    void unsetFieldsTakeTheNodeDefaultsAsInTheShellAndRest() {
        VmSpec spec = Protos.vmSpec(VMSpec.newBuilder().setName("web1")
                .addDisks(DiskSpec.newBuilder().setPool("default").setSizeBytes(1L << 30))
                .addNics(NicSpec.newBuilder().setNetwork("lan")).build());
        VmSpec defaults = VmSpec.builder("web1").build();
        assertEquals(defaults.hypervisor(), spec.hypervisor());
        assertEquals(defaults.vcpus(), spec.vcpus());
        assertEquals(defaults.memoryMiB(), spec.memoryMiB());
        assertEquals(Firmware.BIOS, spec.firmware());
        // left to the pool, as in the shell and REST: qcow2 where its backend has it, else raw
        assertEquals(Optional.empty(), spec.disks().get(0).format());
        assertEquals(DiskBus.VIRTIO, spec.disks().get(0).bus());
        assertEquals(NicModel.VIRTIO, spec.nics().get(0).model());
        assertEquals(Optional.empty(), spec.nics().get(0).mac());
        assertEquals(Optional.empty(), spec.directBoot());
    }

    @Test
    void aSpecSurvivesTheRoundTrip() {
        VmSpec spec = VmSpec.builder("db1").vcpus(4).memoryMiB(8192).firmware(Firmware.UEFI)
                .disk(new io.quantix.api.DiskSpec("fast", 10L << 30, VolumeFormat.RAW, DiskBus.SCSI))
                .nic(new io.quantix.api.NicSpec("lan", Optional.of("52:54:00:12:34:56"), NicModel.E1000))
                .boot(BootDevice.CDROM).boot(BootDevice.DISK).tag("prod").tag("db")
                .ha(new io.quantix.api.HaPolicy(true, 500)).build();
        assertEquals(spec, Protos.vmSpec(Protos.vmSpec(spec)));
    }

    @Test
    void aSecureBootVmSurvivesTheRoundTrip() {
        // a VM with this firmware used to make GetVMStatus and every ListVMs page holding it answer INTERNAL
        VmSpec spec = VmSpec.builder("win1").firmware(Firmware.UEFI_SECURE_BOOT).build();
        assertEquals(spec, Protos.vmSpec(Protos.vmSpec(spec)));
    }

    @Test
    void valuesTheApiRefusesAreInvalidArguments() {
        VMSpec good = VMSpec.newBuilder().setName("ok").build();
        List<Executable> bad = List.of(
                () -> Protos.vmSpec(good.toBuilder().setName("../etc").build()),
                () -> Protos.vmSpec(good.toBuilder().setVcpus(-2).build()),
                () -> Protos.vmSpec(good.toBuilder().setFirmwareValue(7).build()),
                () -> Protos.vmSpec(good.toBuilder().addBootOrderValue(12).build()),
                () -> Protos.vmSpec(good.toBuilder().addDisks(DiskSpec.newBuilder().setPool("p").setSizeBytes(1)).build()),
                () -> Protos.vmSpec(good.toBuilder().addDisks(DiskSpec.newBuilder().setPool("p")
                        .setSizeBytes(1L << 30).setBusValue(99)).build()),
                () -> Protos.vmSpec(good.toBuilder().addNics(NicSpec.newBuilder().setNetwork("n").setMac("01:00:5e:00:00:01"))
                        .build()),
                () -> Protos.stateFilter(io.quantix.proto.node.v1.PowerState.UNRECOGNIZED, 40),
                () -> Protos.networkSpec(NetworkSpec.newBuilder().setName("v").setDriver("bridge")
                        .setType(io.quantix.proto.node.v1.NetworkType.VLAN).build()));
        for (Executable call : bad) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, call).code());
        }
    }

    @Test
    void aNetworkSpecMapsItsEmptyStringsToAbsentValues() {
        var spec = Protos.networkSpec(NetworkSpec.newBuilder().setName("lan").setDriver("bridge").build());
        assertEquals(NetworkType.BRIDGE, spec.type());
        assertEquals(Optional.empty(), spec.cidr());
        assertEquals(OptionalInt.empty(), spec.vlanId());
        assertEquals(Optional.empty(), spec.bridge());
        assertEquals(Optional.of(PowerState.RUNNING),
                Protos.stateFilter(io.quantix.proto.node.v1.PowerState.RUNNING, 1));
        assertEquals(Optional.empty(), Protos.stateFilter(io.quantix.proto.node.v1.PowerState.POWER_STATE_UNSPECIFIED, 0));
    }

    @Test
    void networkStorageCredentialsNeverLeaveTheNode() {
        var source = new DiskSource.Network(DiskSource.Protocol.RBD, "rbd/vm1", List.of(new DiskSource.Host("mon1", 6789)),
                Optional.of(new DiskSource.Credentials("ceph", "admin", "AQBsecretkey==")));
        var volume = Protos.volume(new Volume(new VolumeRef("ceph", "vm1"), VolumeFormat.RAW, 1L << 30, 0, source));
        assertEquals("rbd/vm1", volume.getSource().getNetwork().getName());
        assertEquals(List.of("mon1:6789"), volume.getSource().getNetwork().getHostsList());
        assertFalse(volume.toString().contains("AQBsecretkey"));
        assertTrue(Set.of("RBD").contains(volume.getSource().getNetwork().getProtocol()));
    }

    @Test
    void metricsCarryTheGuestsCpuTimeAndTheWholeVmsApart() {
        io.quantix.proto.node.v1.VMMetrics m = Protos.metrics(new io.quantix.api.VmMetrics("web1",
                java.time.Instant.EPOCH, 7_000_000_000L, 7_800_000_000L, 2, 1L << 30, 1, 2, 3, 4));

        assertEquals(List.of(7_000_000_000L, 7_800_000_000L), List.of(m.getGuestCpuNanos(), m.getTotalCpuNanos()));
        assertEquals(m.getTotalCpuNanos(), m.getCpuTimeNanos(), "the field older clients read keeps its meaning");
    }

    @Test
    void aVmCarriesItsGuestsInterfacesAsTheAgentReportedThem() {
        io.quantix.api.Vm vm = new io.quantix.api.Vm("3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13",
                VmSpec.builder("web").build(), PowerState.RUNNING, List.of(), List.of(), 7);
        io.quantix.api.agent.GuestInterface eth0 = new io.quantix.api.agent.GuestInterface("eth0", "52:54:00:12:34:56",
                List.of(new io.quantix.api.agent.GuestAddress(io.quantix.api.agent.GuestAddress.Family.IPV6,
                        "2001:db8::10", 64)));

        io.quantix.proto.node.v1.VM proto = Protos.vm(vm, List.of(eth0));

        assertEquals(7, proto.getVersion());
        assertEquals("eth0", proto.getGuestInterfaces(0).getName());
        assertEquals("52:54:00:12:34:56", proto.getGuestInterfaces(0).getMac());
        assertEquals("2001:db8::10", proto.getGuestInterfaces(0).getAddresses(0).getAddress());
        assertEquals(64, proto.getGuestInterfaces(0).getAddresses(0).getPrefix());
        assertTrue(proto.getGuestInterfaces(0).getAddresses(0).getIpv6());
        assertEquals(0, Protos.vm(vm, List.of()).getGuestInterfacesCount());
    }
}
