package io.quantix.hypervisor.libvirt.internal;

import static io.quantix.hypervisor.libvirt.internal.Libvirtd.MARKER;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.await;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Snapshots and hot-plug on one real running guest (QEMU TCG, booted once): the guest has a qcow2 root disk so
 * that an internal snapshot can hold its memory, and prints the block devices it sees every second. Each test
 * starts from {@link #runningGuest()} and undoes its changes in finally, so no test depends on another's order
 * or leftovers.
 */
@Tag("libvirtd")
class LibvirtLiveChangesIT {
    private static final String GUEST = "qx-it-live";
    private static final String BRIDGE = "qxitbr0";
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration GUEST_NOTICES = Duration.ofSeconds(30);
    private static final Path DIR = Path.of("").toAbsolutePath().resolve("target/it-live-changes");
    private static final VolumeRef ROOT = new VolumeRef("it", "root");
    private static final VolumeRef DATA = new VolumeRef("it", "data");

    private static LibvirtBackend backend;
    private static Vm guest;

    @BeforeAll
    static void start() throws Exception {
        Libvirtd.prepare();
        backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        cleanUp();
        Files.createDirectories(DIR);
        run("qemu-img", "create", "-q", "-f", "qcow2", file(ROOT, "qcow2").toString(), "64M");
        run("qemu-img", "create", "-q", "-f", "raw", file(DATA, "raw").toString(), "32M");
        run("ip", "link", "add", BRIDGE, "type", "bridge");
        VmSpec spec = VmSpec.builder(GUEST).memoryMiB(256).disk(DiskSpec.of("it", 64 * Validation.MIB))
                .directBoot(Libvirtd.boot(Libvirtd.CMDLINE + Libvirtd.WATCH_PARTITIONS)).build();
        guest = backend.define(UUID.randomUUID().toString(), spec, List.of(disk(ROOT, VolumeFormat.QCOW2)), List.of());
        runningGuest();
    }

    /**
     * The guest, running and seeing its root disk, whatever a failed test left: resumed if paused, started again
     * if stopped (a start begins the serial log afresh, so the boot marker counts from 1).
     */
    private static Vm runningGuest() throws InterruptedException {
        switch (backend.find(GUEST).orElseThrow().state()) {
            case RUNNING -> { }
            case PAUSED -> backend.power(GUEST, PowerAction.RESUME);
            default -> {
                backend.power(GUEST, PowerAction.START);
                await("boot marker", BOOT, guest, () -> count(guest, MARKER) == 1);
            }
        }
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state(), "the guest runs");
        await("the guest sees its root disk", GUEST_NOTICES, guest, () -> partitions().contains("vda"));
        return guest;
    }

    /** Deletes every snapshot, children before their parents (deleting an external one commits it). */
    private static void deleteSnapshots() {
        List<Snapshot> left = backend.snapshots(GUEST);
        while (!left.isEmpty()) {
            List<Snapshot> all = left;
            Snapshot leaf = all.stream().filter(s -> all.stream().noneMatch(c -> c.parent().equals(Optional.of(s.name()))))
                    .findFirst().orElseThrow();
            backend.deleteSnapshot(GUEST, leaf.name());
            left = backend.snapshots(GUEST);
        }
    }

    @AfterAll
    static void close() throws Exception {
        cleanUp();
        backend.close();
    }

    private static void cleanUp() throws Exception {
        Libvirtd.remove(backend, GUEST);
        if (Files.exists(Path.of("/sys/class/net", BRIDGE))) {
            run("ip", "link", "del", BRIDGE);
        }
        if (Files.isDirectory(DIR)) {
            try (var files = Files.list(DIR)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    @Test
    void aSnapshotWithMemoryOfARunningGuestIsListedAndRevertingToItResumesTheGuestWithoutABoot() throws Exception {
        runningGuest();
        try {
            Snapshot taken = backend.snapshot(GUEST, new SnapshotSpec("warm", true, false, "guest up"));

            assertEquals("warm", taken.name());
            assertTrue(taken.includesMemory() && !taken.external(), taken.toString());
            assertEquals(PowerState.RUNNING, taken.stateAtSnapshot());
            assertEquals(List.of(taken), backend.snapshots(GUEST));
            assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());

            backend.revert(GUEST, "warm");

            assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
            // The revert starts a new QEMU, which begins the serial log afresh: a guest that booted would print the
            // boot marker before anything else, a resumed one just carries on with its partition lines.
            await("the resumed guest prints on", GUEST_NOTICES, guest, () -> count(guest, Libvirtd.PARTITIONS) >= 2);
            assertEquals(0, count(guest, MARKER), "the guest was resumed from memory, not booted again");
        } finally {
            deleteSnapshots();
        }
    }

    @Test
    void aDiskHotPluggedIntoTheRunningGuestIsSeenByItAndGoesAgainOnDetach() throws Exception {
        runningGuest();
        AttachedDisk data = disk(DATA, VolumeFormat.RAW);
        backend.attachDisk(GUEST, data);
        try {
            assertEquals(List.of(disk(ROOT, VolumeFormat.QCOW2), data), backend.find(GUEST).orElseThrow().disks());
            await("the guest sees the new disk", GUEST_NOTICES, guest, () -> partitions().contains("vdb"));

            backend.detachDisk(GUEST, DATA);

            assertEquals(List.of(disk(ROOT, VolumeFormat.QCOW2)), backend.find(GUEST).orElseThrow().disks());
            await("the disk is gone from the guest", GUEST_NOTICES, guest, () -> !partitions().contains("vdb"));
            withDomain(d -> assertFalse(d.getXMLDesc(Domain.XMLFlags.INACTIVE).contains(file(DATA, "raw").toString()),
                    "the disk is gone from the persistent definition too"));
        } finally {
            if (backend.find(GUEST).orElseThrow().disks().contains(data)) {
                backend.detachDisk(GUEST, DATA);
            }
        }
    }

    @Test
    void aNicPluggedIntoTheRunningGuestIsShownAndRemoved() throws Exception {
        runningGuest();
        AttachedNic nic = new AttachedNic("lan", "port-it-1", "52:54:00:71:00:01", NicModel.VIRTIO,
                new NicBinding.Bridge(BRIDGE));
        backend.attachNic(GUEST, nic);
        try {
            assertEquals(List.of(nic), backend.find(GUEST).orElseThrow().nics());
            withDomain(d -> assertTrue(d.getXMLDesc(Domain.XMLFlags.INACTIVE).contains(nic.mac()), "kept across restarts"));

            backend.detachNic(GUEST, nic.portId());

            assertEquals(List.of(), backend.find(GUEST).orElseThrow().nics());
            withDomain(d -> assertFalse(d.getXMLDesc(0).contains(nic.mac()), "unplugged from the guest"));
        } finally {
            if (!backend.find(GUEST).orElseThrow().nics().isEmpty()) {
                backend.detachNic(GUEST, nic.portId());
            }
        }
    }

    @Test
    void isoMediaGoesInAndOut() throws Exception {
        runningGuest();
        Path iso = DIR.resolve("media.iso");
        Files.write(iso, new byte[64 * 1024]);
        try {
            backend.changeMedia(GUEST, Optional.of(iso.toString()));
            withDomain(d -> assertTrue(d.getXMLDesc(0).contains("file='" + iso + "'"), "the running guest's drive holds it"));

            backend.changeMedia(GUEST, Optional.empty());
            withDomain(d -> assertFalse(d.getXMLDesc(0).contains(iso.toString()), "ejected"));
        } finally {
            backend.changeMedia(GUEST, Optional.empty());
        }
    }

    @Test
    void aDiskOnlySnapshotWritesToAnOverlayWhichDeletingCommitsAndRemoves() throws Exception {
        runningGuest();
        Path root = file(ROOT, "qcow2");
        Path overlay = DIR.resolve(".root.frozen.qcow2");
        try {
            backend.snapshot(GUEST, new SnapshotSpec("warm", true, false, ""));
            Snapshot taken = backend.snapshot(GUEST, new SnapshotSpec("frozen", false, true, ""));

            assertTrue(taken.external() && !taken.includesMemory(), taken.toString());
            assertEquals(Optional.of("warm"), taken.parent());
            assertTrue(Files.exists(overlay), "overlay next to the volume");
            assertEquals(new DiskSource.File(overlay.toString()), backend.find(GUEST).orElseThrow().disks().get(0).source());

            backend.deleteSnapshot(GUEST, "frozen");

            assertFalse(Files.exists(overlay), "overlay removed");
            assertEquals(new DiskSource.File(root.toString()), backend.find(GUEST).orElseThrow().disks().get(0).source());
            withDomain(d -> assertFalse(d.getXMLDesc(Domain.XMLFlags.INACTIVE).contains(overlay.toString()),
                    "the persistent definition is back on the volume too"));
            assertEquals(List.of("warm"), backend.snapshots(GUEST).stream().map(Snapshot::name).toList());
            assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());

            backend.deleteSnapshot(GUEST, "warm");

            assertEquals(List.of(), backend.snapshots(GUEST), "deleting the last snapshot leaves none");
        } finally {
            deleteSnapshots();
        }
    }

    private static AttachedDisk disk(VolumeRef volume, VolumeFormat format) {
        return new AttachedDisk(volume, new DiskSource.File(file(volume, format.id()).toString()), format, DiskBus.VIRTIO);
    }

    private static Path file(VolumeRef volume, String extension) {
        return DIR.resolve(volume.volume() + "." + extension);
    }

    /** The block devices the guest listed last. */
    private static String partitions() {
        return Libvirtd.console(guest).lines().filter(l -> l.startsWith(Libvirtd.PARTITIONS)).reduce((a, b) -> b).orElse("");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }

    private static void withDomain(DomainCheck check) throws Exception {
        Connect connect = new Connect(ConnectionTarget.SYSTEM_URI, false);
        try {
            check.run(connect.domainLookupByName(GUEST));
        } finally {
            connect.close();
        }
    }

    @FunctionalInterface
    private interface DomainCheck {
        void run(Domain domain) throws Exception;
    }
}
