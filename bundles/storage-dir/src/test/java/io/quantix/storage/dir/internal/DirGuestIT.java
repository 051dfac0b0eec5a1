package io.quantix.storage.dir.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.AttachedDisk;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.hypervisor.libvirt.internal.LibvirtBackend;
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A real QEMU guest (the libvirt module's tiny guest, on the host's libvirtd) whose disk is a volume of a dir pool:
 * the copy-on-write clone of a template, a qcow2 overlay whose backing file is the read-only template.
 */
class DirGuestIT {
    private static final String GUEST = "qx-st-dir-guest";
    private static final long BOOT_NANOS = 90_000_000_000L;
    private final DirStorageBackend backend = new DirStorageBackend();

    @Test
    void aGuestBootsWithItsDiskOnACloneOfATemplate() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "the guest test uses the host's libvirtd: run it as root,"
                + " or skip with -DskipITs");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "qx-st-dirpool");
        // QEMU runs as its own user: it must be able to reach the pool's files
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StoragePoolSpec pool = new StoragePoolSpec("local", "dir", Map.of("path", dir.toString()));
        LibvirtBackend libvirt = RealLibvirt.open();
        try {
            RealLibvirt.remove(libvirt, GUEST);
            backend.probe(pool);
            backend.createVolume(pool, new VolumeSpec("base", 64 * Validation.MIB, VolumeFormat.QCOW2));
            backend.createTemplate(pool, "base", "golden");
            Volume disk = backend.cloneVolume(pool, "golden", "vm1");
            VmSpec spec = VmSpec.builder(GUEST).memoryMiB(256).disk(DiskSpec.of("local", 64 * Validation.MIB))
                    .directBoot(RealLibvirt.watchingPartitions()).build();
            Vm vm = libvirt.define(UUID.randomUUID().toString(), spec,
                    List.of(new AttachedDisk(disk.ref(), disk.source(), disk.format(), DiskBus.VIRTIO)), List.of());
            libvirt.power(GUEST, PowerAction.START);
            long deadline = System.nanoTime() + BOOT_NANOS;
            while (!RealLibvirt.partitions(vm).contains("vda")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the guest does not see its disk; console:\n" + RealLibvirt.console(vm));
                }
                Thread.sleep(200);
            }
            QuantixException inUse = assertThrows(QuantixException.class, () -> backend.deleteVolume(pool, "golden"));
            assertEquals(ErrorCode.CONFLICT, inUse.code(), "the template of the running guest's disk stays");
        } finally {
            RealLibvirt.remove(libvirt, GUEST);
            RealLibvirt.close(libvirt);
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
