package io.quantix.storage.ceph.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.spi.HostCommand;
import io.quantix.hypervisor.libvirt.internal.LibvirtBackend;
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real QEMU guest (the libvirt module's tiny guest, on the host's libvirtd) whose disk is an RBD volume
 * cloned from a template: QEMU opens it through librbd with the pool's cephx login, kept in a libvirt secret.
 * The guest lists the block devices it sees on its serial console; the partition on the volume proves it read
 * the volume's data from Ceph.
 */
@Tag("ceph")
class CephGuestIT {
    private static final String VM = "qx-ceph-guest";
    private static final Duration BOOT = Duration.ofSeconds(120);
    /** The guest's block devices: the disk and the partition on it. */
    private static final String DISK_SEEN = RealLibvirt.PARTITIONS + " vda vda1";
    /** Deleted in this order at the end: a clone before its template, the template before nothing. */
    private static final List<String> VOLUMES = List.of("guest-disk", "guest-template", "guest-base");

    private static CephCluster cluster;
    private static StoragePoolSpec pool;
    private static LibvirtBackend libvirt;
    private static final CephStorageBackend STORAGE = new CephStorageBackend();

    @BeforeAll
    static void startCephAndLibvirt() throws Exception {
        cluster = CephCluster.start();
        pool = cluster.pool(VM);
        libvirt = RealLibvirt.open();
        RealLibvirt.remove(libvirt, VM);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (libvirt != null) {
            RealLibvirt.remove(libvirt, VM);
            RealLibvirt.close(libvirt);
        }
        List<String> left = STORAGE.volumes(pool).stream().map(Volume::name).toList();
        VOLUMES.stream().filter(left::contains).forEach(v -> STORAGE.deleteVolume(pool, v));
        // the login the hypervisor kept for this pool (its secret's name comes from the pool's name)
        RealLibvirt.removeSecret(DiskSource.Protocol.RBD, DiskSource.Credentials.stored(pool.name(), "quantix"));
    }

    @Test
    void aGuestBootsWithItsDiskOnAnRbdCloneOfATemplateWhichGrowsOnlineAndCannotBeDeletedUnderIt() throws Exception {
        STORAGE.importVolume(pool, "guest-base", VolumeFormat.RAW, new ByteArrayInputStream(diskWithOnePartition()),
                Validation.GIB);
        STORAGE.createTemplate(pool, "guest-base", "guest-template");
        Volume disk = STORAGE.cloneVolume(pool, "guest-template", "guest-disk");

        VmSpec spec = VmSpec.builder(VM).memoryMiB(256).directBoot(RealLibvirt.watchingPartitions()).build();
        Vm vm = libvirt.define(UUID.randomUUID().toString(), spec,
                List.of(new AttachedDisk(disk.ref(), disk.source(), VolumeFormat.RAW, DiskBus.VIRTIO)), List.of());
        String xml = HostCommand.run(List.of("virsh", "-c", "qemu:///system", "dumpxml", VM));
        assertTrue(xml.contains("protocol='rbd' name='rbd/guest-disk'"), xml);
        assertFalse(xml.contains(cluster.ceph("auth", "get-key", "client.quantix").strip()),
                "the cephx key is not in the domain XML");
        libvirt.power(VM, PowerAction.START);

        await("the guest sees its RBD disk and the partition on it", vm,
                () -> RealLibvirt.partitions(vm).strip().equals(DISK_SEEN));

        // online resize, as the core does it for an attached disk: the image first, then QEMU's view of it
        Volume grown = STORAGE.resizeVolume(pool, "guest-disk", 2 * disk.capacity());
        libvirt.resizeDisk(VM, disk.ref(), grown.capacity());
        assertTrue(HostCommand.run(List.of("virsh", "-c", "qemu:///system", "domblkinfo", VM, "vda"))
                .contains("Capacity:       " + grown.capacity()), "QEMU sees the grown RBD image");

        QuantixException inUse = assertThrows(QuantixException.class, () -> STORAGE.deleteVolume(pool, "guest-disk"));
        assertEquals(ErrorCode.CONFLICT, inUse.code());
        assertTrue(inUse.getMessage().contains("open by a VM"), inUse.getMessage());
        assertEquals(PowerState.RUNNING, libvirt.find(VM).orElseThrow().state());

        RealLibvirt.remove(libvirt, VM);
        VOLUMES.forEach(v -> STORAGE.deleteVolume(pool, v));
        assertEquals(List.of(), STORAGE.volumes(pool));
    }

    /** 64 MiB with an MBR whose one Linux partition starts at 1 MiB: the guest's kernel shows it as vda1. */
    private static byte[] diskWithOnePartition() {
        byte[] disk = new byte[64 * (int) Validation.MIB];
        int entry = 446;
        disk[entry + 4] = (byte) 0x83;
        putLe32(disk, entry + 8, 2048);
        putLe32(disk, entry + 12, disk.length / 512 - 2048);
        disk[510] = 0x55;
        disk[511] = (byte) 0xAA;
        return disk;
    }

    private static void putLe32(byte[] b, int at, int value) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Polls every 200 ms; fails with the guest's console if the condition is not met within the boot limit. */
    private static void await(String what, Vm vm, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + BOOT.toSeconds() + " s: " + what + "; console:\n"
                        + RealLibvirt.console(vm));
            }
            Thread.sleep(200);
        }
    }
}
