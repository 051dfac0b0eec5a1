package io.quantix.storage.ceph.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
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
import io.quantix.hypervisor.libvirt.internal.LibvirtForCephTests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path GUEST = MODULE.resolve("target/tiny-guest");
    private static final Duration BOOT = Duration.ofSeconds(120);
    /** What the tiny guest prints every second with quantix.partitions=watch: here, the disk and its partition. */
    private static final String DISK_SEEN = "QUANTIX-PARTITIONS vda vda1";

    private static CephCluster cluster;
    private static StoragePoolSpec pool;
    private static Path dataDir;
    private static LibvirtBackend libvirt;
    private final CephStorageBackend storage = new CephStorageBackend();

    @BeforeAll
    static void startCephAndLibvirt() throws Exception {
        cluster = CephCluster.start();
        pool = cluster.pool(VM);
        // reuses the libvirt module's setup: packages, libvirtd, and the tiny guest's kernel and initramfs
        Process setup = new ProcessBuilder("sh", MODULE.resolve("../hypervisor-libvirt/src/test/sh/libvirt-env.sh")
                .normalize().toString(), GUEST.toString())
                .redirectErrorStream(true).redirectOutput(MODULE.resolve("target/libvirt-env.log").toFile()).start();
        assertEquals(0, setup.waitFor(), "libvirt-env.sh failed: see target/libvirt-env.log");
        // short: the VM's channel sockets live below it, and a socket path has at most 107 bytes
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "qx-ceph-data");
        System.setProperty("quantix.data.dir", dataDir.toString());
        libvirt = LibvirtForCephTests.open();
        removeGuest();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (libvirt != null) {
            removeGuest();
            LibvirtForCephTests.close(libvirt);
        }
        removeSecret();
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aGuestBootsWithItsDiskOnAnRbdCloneOfATemplateWhichGrowsOnlineAndCannotBeDeletedUnderIt() throws Exception {
        storage.importVolume(pool, "guest-base", VolumeFormat.RAW, new ByteArrayInputStream(diskWithOnePartition()),
                Validation.GIB);
        storage.createTemplate(pool, "guest-base", "guest-template");
        Volume disk = storage.cloneVolume(pool, "guest-template", "guest-disk");

        VmSpec spec = VmSpec.builder(VM).memoryMiB(256).directBoot(new DirectBoot(GUEST.resolve("vmlinuz").toString(),
                GUEST.resolve("initrd.gz").toString(), "console=ttyS0 quiet panic=-1 no_timer_check quantix.partitions=watch"))
                .build();
        Vm vm = libvirt.define(UUID.randomUUID().toString(), spec,
                List.of(new AttachedDisk(disk.ref(), disk.source(), VolumeFormat.RAW, DiskBus.VIRTIO)), List.of());
        String xml = HostCommand.run(List.of("virsh", "-c", "qemu:///system", "dumpxml", VM));
        assertTrue(xml.contains("protocol='rbd' name='rbd/guest-disk'"), xml);
        assertFalse(xml.contains(cluster.ceph("auth", "get-key", "client.quantix").strip()),
                "the cephx key is not in the domain XML");
        libvirt.power(VM, PowerAction.START);

        awaitConsole(vm, DISK_SEEN);

        // online resize, as the core does it for an attached disk: the image first, then QEMU's view of it
        Volume grown = storage.resizeVolume(pool, "guest-disk", 2 * disk.capacity());
        libvirt.resizeDisk(VM, disk.ref(), grown.capacity());
        assertTrue(HostCommand.run(List.of("virsh", "-c", "qemu:///system", "domblkinfo", VM, "vda"))
                .contains("Capacity:       " + grown.capacity()), "QEMU sees the grown RBD image");

        QuantixException inUse = assertThrows(QuantixException.class,
                () -> storage.deleteVolume(pool, "guest-disk"));
        assertEquals(ErrorCode.CONFLICT, inUse.code());
        assertTrue(inUse.getMessage().contains("open by a VM"), inUse.getMessage());
        assertEquals(PowerState.RUNNING, libvirt.find(VM).orElseThrow().state());

        removeGuest();
        storage.deleteVolume(pool, "guest-disk");
        storage.deleteVolume(pool, "guest-template");
        storage.deleteVolume(pool, "guest-base");
        assertEquals(List.of(), storage.volumes(pool));
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

    private static void awaitConsole(Vm vm, String line) throws InterruptedException, IOException {
        Path log = LibvirtForCephTests.serialLog(dataDir, vm);
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains(line))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + BOOT.toSeconds() + " s: '" + line + "' on the console:\n"
                        + (Files.exists(log) ? Files.readString(log) : "(no serial log)"));
            }
            Thread.sleep(200);
        }
    }

    private static void removeGuest() {
        libvirt.find(VM).ifPresent(vm -> {
            if (vm.state() != PowerState.STOPPED && vm.state() != PowerState.CRASHED) {
                libvirt.power(VM, PowerAction.FORCE_STOP);
            }
            libvirt.undefine(VM);
        });
    }

    /** The libvirt secret the hypervisor defined for this test pool's login (usage "quantix-<pool>"). */
    private static void removeSecret() {
        String list = HostCommand.run(List.of("virsh", "-c", "qemu:///system", "secret-list"));
        list.lines().map(String::strip).filter(l -> l.endsWith("ceph quantix-" + VM))
                .map(l -> l.split("\\s+")[0])
                .forEach(uuid -> HostCommand.run(List.of("virsh", "-c", "qemu:///system", "secret-undefine", uuid)));
    }
}
