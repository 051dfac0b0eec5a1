package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.Firmware;
import io.quantix.api.HaPolicy;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.Validation;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A VM with every kind of field set, so a field lost on the way through libvirt shows up as a difference. */
final class Fixtures {
    static final String ID = "3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13";
    static final Path RUN_DIR = Path.of("/var/lib/quantix/run");

    private Fixtures() {
    }

    static VmSpec spec(String name) {
        return VmSpec.builder(name)
                .vcpus(2)
                .memoryMiB(768)
                .firmware(Firmware.UEFI)
                .disk(DiskSpec.of("pool-a", 10 * Validation.GIB))
                .disk(new DiskSpec("pool-b", 64 * Validation.MIB, VolumeFormat.RAW, DiskBus.SATA))
                .nic(new NicSpec("lan", Optional.of("52:54:00:aa:bb:01"), NicModel.VIRTIO))
                .nic(new NicSpec("dmz", Optional.empty(), NicModel.E1000))
                .boot(BootDevice.NETWORK)
                .boot(BootDevice.DISK)
                .tag("prod")
                .tag("web")
                .ha(new HaPolicy(true, 700))
                .build();
    }

    static List<AttachedDisk> disks(String diskPath) {
        return List.of(
                new AttachedDisk(new VolumeRef("pool-a", "root"), new DiskSource.File(diskPath), VolumeFormat.QCOW2,
                        DiskBus.VIRTIO),
                new AttachedDisk(new VolumeRef("pool-b", "scratch"), new DiskSource.File("/data/pool-b/scratch.img"),
                        VolumeFormat.RAW, DiskBus.SATA));
    }

    static List<AttachedNic> nics() {
        return List.of(
                new AttachedNic("lan", "port-1", "52:54:00:aa:bb:01", NicModel.VIRTIO, new NicBinding.Bridge("br-lan")),
                new AttachedNic("dmz", "port-2", "52:54:00:aa:bb:02", NicModel.E1000, new NicBinding.Bridge("br-dmz")));
    }
}
