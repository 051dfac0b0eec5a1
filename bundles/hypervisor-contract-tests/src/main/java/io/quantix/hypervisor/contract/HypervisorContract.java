package io.quantix.hypervisor.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.Capability;
import io.quantix.api.ConsoleType;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.HaPolicy;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.DefineOptions;
import io.quantix.api.spi.HypervisorBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link HypervisorBackend} contract, as core relies on it, run against every backend. A subclass says how
 * to open a backend over its durable state; opening again over the same state is a node restart.
 *
 * <p>Backends are opened lazily, on a test's first call, so a subclass's own {@code @BeforeEach} (which JUnit runs
 * after this class's) can prepare what {@link #open()} needs. VMs use only what every backend must run: virtio
 * devices, BIOS firmware, file disks and bridge NICs on {@link #BRIDGE}, which a subclass creates if its
 * hypervisor needs it to exist.
 */
public abstract class HypervisorContract {
    /** The bridge every contract NIC is bound to. */
    protected static final String BRIDGE = "qxc-br0";
    /** A real guest may take its time to obey ACPI; the SPI promises only that SHUTDOWN asks. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    @TempDir
    protected Path diskDir;

    private final List<HypervisorBackend> opened = new ArrayList<>();
    private HypervisorBackend backend;
    private int macSeq;

    /** A new backend instance over this test's durable state (a fresh activation after a node restart). */
    protected abstract HypervisorBackend open();

    /** Deactivates a backend the way the OSGi runtime would; VMs it runs must keep running. */
    protected abstract void close(HypervisorBackend backend);

    /** The name the backend registers under, which specs must carry. */
    protected abstract String hypervisorName();

    @AfterEach
    void closeOpened() {
        opened.forEach(this::close);
    }

    @Test
    void fullLifecycleWithStatesSeenThroughFind() {
        define("life-1");

        assertEquals(PowerState.STOPPED, state("life-1"));
        powerAndExpect("life-1", PowerAction.START, PowerState.RUNNING);
        powerAndExpect("life-1", PowerAction.PAUSE, PowerState.PAUSED);
        powerAndExpect("life-1", PowerAction.RESUME, PowerState.RUNNING);
        powerAndExpect("life-1", PowerAction.REBOOT, PowerState.RUNNING);
        powerAndExpect("life-1", PowerAction.FORCE_STOP, PowerState.STOPPED);
        powerAndExpect("life-1", PowerAction.START, PowerState.RUNNING);
        backend().power("life-1", PowerAction.SHUTDOWN);
        awaitState("life-1", PowerState.STOPPED);
        backend().undefine("life-1");

        assertTrue(backend().find("life-1").isEmpty());
        assertTrue(backend().list().stream().noneMatch(vm -> vm.name().equals("life-1")));
    }

    @Test
    void defineReturnsTheVmAsGivenAndListAndFindRoundTripIt() {
        String id = UUID.randomUUID().toString();
        VmSpec spec = spec("trip-1");
        List<AttachedDisk> disks = disks("trip-1");
        List<AttachedNic> nics = nics("trip-1");

        Vm defined = backend().define(id, spec, disks, nics);

        Vm expected = new Vm(id, spec, PowerState.STOPPED, disks, nics);
        assertEquals(expected, defined);
        assertEquals(List.of(expected), backend().list());
        assertEquals(expected, backend().find("trip-1").orElseThrow());
    }

    @Test
    void aTakenNameOrIdIsAlreadyExists() {
        Vm first = define("dup-1");

        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend().define(UUID.randomUUID().toString(), spec("dup-1"),
                disks("dup-1"), nics("dup-1")));
        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend().define(first.id(), spec("dup-2"), disks("dup-2"),
                nics("dup-2")));
        assertEquals(List.of(first), backend().list());
    }

    @Test
    void startingARunningVmIsAConflictAndLeavesItRunning() {
        define("twice-1");
        backend().power("twice-1", PowerAction.START);

        assertCode(ErrorCode.CONFLICT, () -> backend().power("twice-1", PowerAction.START));
        assertCode(ErrorCode.CONFLICT, () -> backend().power("twice-1", PowerAction.RESUME));
        assertEquals(PowerState.RUNNING, state("twice-1"));
    }

    @Test
    void actionsOnAStoppedVmThatNeedItRunningAreConflicts() {
        define("idle-1");

        for (PowerAction action : List.of(PowerAction.SHUTDOWN, PowerAction.FORCE_STOP, PowerAction.REBOOT,
                PowerAction.PAUSE, PowerAction.RESUME)) {
            assertCode(ErrorCode.CONFLICT, () -> backend().power("idle-1", action));
        }
        assertEquals(PowerState.STOPPED, state("idle-1"));
    }

    @Test
    void undefiningARunningVmIsAConflictAndKeepsIt() {
        define("busy-1");
        backend().power("busy-1", PowerAction.START);

        assertCode(ErrorCode.CONFLICT, () -> backend().undefine("busy-1"));
        assertEquals(PowerState.RUNNING, state("busy-1"));
        backend().power("busy-1", PowerAction.FORCE_STOP);
        backend().undefine("busy-1");
        assertTrue(backend().find("busy-1").isEmpty());
    }

    @Test
    void anUnknownVmIsNotFound() {
        assertTrue(backend().find("ghost").isEmpty());
        assertCode(ErrorCode.NOT_FOUND, () -> backend().power("ghost", PowerAction.START));
        assertCode(ErrorCode.NOT_FOUND, () -> backend().undefine("ghost"));
        assertCode(ErrorCode.NOT_FOUND, () -> backend().metrics("ghost"));
    }

    @Test
    void aSpecForAnotherHypervisorIsInvalid() {
        VmSpec other = VmSpec.builder("alien-1").hypervisor("not-" + hypervisorName()).build();

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend().define(UUID.randomUUID().toString(), other,
                List.of(), List.of()));
        assertTrue(backend().find("alien-1").isEmpty());
    }

    @Test
    void aNewInstanceOverTheSameStateSeesVmsAndTheirStatesAndCanControlThem() {
        Vm running = define("keep-1");
        Vm stopped = define("keep-2");
        backend().power("keep-1", PowerAction.START);
        restart();

        assertEquals(running.withState(PowerState.RUNNING), backend().find("keep-1").orElseThrow());
        assertEquals(stopped, backend().find("keep-2").orElseThrow());
        powerAndExpect("keep-1", PowerAction.PAUSE, PowerState.PAUSED);
        restart();

        assertEquals(PowerState.PAUSED, state("keep-1"));
        powerAndExpect("keep-1", PowerAction.FORCE_STOP, PowerState.STOPPED);
        backend().undefine("keep-1");
        assertEquals(List.of(stopped), backend().list());
    }

    @Test
    void snapshotsWorkWhenAdvertisedAndAreUnsupportedOtherwise() {
        define("snap-1");
        if (!backend().capabilities().contains(Capability.SNAPSHOT)) {
            QuantixException e = assertThrows(QuantixException.class, () -> backend().snapshot("snap-1", SnapshotSpec.of("s1")));
            assertEquals(ErrorCode.UNSUPPORTED, e.code(), e.getMessage());
            return;
        }
        Snapshot taken = backend().snapshot("snap-1", SnapshotSpec.of("s1"));
        backend().power("snap-1", PowerAction.START);

        assertEquals(List.of(taken), backend().snapshots("snap-1"));
        backend().revert("snap-1", "s1");
        assertEquals(PowerState.STOPPED, state("snap-1"), "back to the state of the snapshot");
        backend().deleteSnapshot("snap-1", "s1");
        assertEquals(List.of(), backend().snapshots("snap-1"));
    }

    @Test
    void hotPlugWorksWhenAdvertisedAndIsUnsupportedOtherwise() {
        Vm vm = define("plug-1");
        AttachedDisk extra = disk("plug-1", 2, VolumeFormat.QCOW2, "pool-a");
        if (!backend().capabilities().contains(Capability.HOT_PLUG)) {
            QuantixException e = assertThrows(QuantixException.class, () -> backend().attachDisk("plug-1", extra));
            assertEquals(ErrorCode.UNSUPPORTED, e.code(), e.getMessage());
            return;
        }
        backend().attachDisk("plug-1", extra);
        assertTrue(backend().find("plug-1").orElseThrow().disks().contains(extra));
        backend().detachDisk("plug-1", extra.volume());
        assertEquals(vm.disks(), backend().find("plug-1").orElseThrow().disks());
    }

    @Test
    void capabilitiesAreNonEmptyAndEveryAdvertisedOneWorks() {
        Set<Capability> advertised = backend().capabilities();
        assertFalse(advertised.isEmpty(), "a hypervisor backend that can do nothing beyond the basics");
        // The SPI has no operation for the others (snapshots, hot-plug, migration): advertising them is a lie.
        Set<Capability> testable = EnumSet.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT, Capability.PAUSE,
                Capability.METRICS, Capability.UEFI, Capability.LIFECYCLE_EVENTS, Capability.CLOUD_INIT,
                Capability.CONSOLE, Capability.SNAPSHOT, Capability.HOT_PLUG, Capability.SECURE_BOOT,
                Capability.AUTOSTART);
        assertTrue(testable.containsAll(advertised), "advertises what the SPI cannot do: " + advertised);

        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Consumer<QuantixEvent> listener = e -> events.add(e.type() + " " + e.subject());
        backend().addListener(listener);
        define("cap-1");
        backend().power("cap-1", PowerAction.START);
        if (advertised.contains(Capability.LIFECYCLE_EVENTS)) {
            Instant deadline = Instant.now().plus(SHUTDOWN_WAIT);
            while (!events.contains("STARTED cap-1") && Instant.now().isBefore(deadline)) {
                sleep(Duration.ofMillis(50));
            }
            assertTrue(events.contains("STARTED cap-1"), "events: " + events);
        }
        backend().removeListener(listener);
        if (advertised.contains(Capability.CONSOLE)) {
            assertEquals(ConsoleType.SERIAL, backend().console("cap-1", ConsoleType.SERIAL).type());
        }
        if (advertised.contains(Capability.CLOUD_INIT)) {
            // Defining is the contract; the seed's content is the core's (CloudInitSeedsTest), booting it a real guest's.
            backend().define(UUID.randomUUID().toString(), builder("seed-1").build(), disks("seed-1"), nics("seed-1"),
                    new DefineOptions(Optional.of("/nonexistent/seed-1.iso")));
            assertEquals("seed-1", backend().find("seed-1").orElseThrow().name());
        }
        if (advertised.contains(Capability.METRICS)) {
            VmMetrics metrics = backend().metrics("cap-1");
            assertEquals("cap-1", metrics.vm());
            assertEquals(2, metrics.vcpus());
            assertEquals(768 * Validation.MIB, metrics.memoryBytes());
            // The guest's vCPU time is part of the VM's total, never more.
            assertTrue(metrics.guestCpuNanos() >= 0 && metrics.overheadCpuNanos() >= 0 && metrics.diskReadBytes() >= 0
                    && metrics.netRxBytes() >= 0, metrics.toString());
        }
        if (advertised.contains(Capability.PAUSE)) {
            powerAndExpect("cap-1", PowerAction.PAUSE, PowerState.PAUSED);
            powerAndExpect("cap-1", PowerAction.RESUME, PowerState.RUNNING);
        }
        if (advertised.contains(Capability.REBOOT)) {
            powerAndExpect("cap-1", PowerAction.REBOOT, PowerState.RUNNING);
        }
        if (advertised.contains(Capability.GRACEFUL_SHUTDOWN)) {
            backend().power("cap-1", PowerAction.SHUTDOWN);
            awaitState("cap-1", PowerState.STOPPED);
        }
        if (advertised.contains(Capability.UEFI)) {
            VmSpec uefi = builder("efi-1").firmware(Firmware.UEFI).build();
            backend().define(UUID.randomUUID().toString(), uefi, disks("efi-1"), nics("efi-1"));
            powerAndExpect("efi-1", PowerAction.START, PowerState.RUNNING);
            assertEquals(Firmware.UEFI, backend().find("efi-1").orElseThrow().spec().firmware());
        }
        if (advertised.contains(Capability.SECURE_BOOT)) {
            VmSpec secure = builder("sb-1").firmware(Firmware.UEFI_SECURE_BOOT).build();
            backend().define(UUID.randomUUID().toString(), secure, disks("sb-1"), nics("sb-1"));
            assertEquals(Firmware.UEFI_SECURE_BOOT, backend().find("sb-1").orElseThrow().spec().firmware());
        }
        if (advertised.contains(Capability.AUTOSTART)) {
            backend().setAutostart("cap-1", true);
            assertTrue(backend().autostart("cap-1"));
            backend().setAutostart("cap-1", false);
            assertFalse(backend().autostart("cap-1"));
        }
    }

    @Test
    void newTagsReplaceTheOldInTheDurableRecordOfARunningVmAndBadOnesChangeNothing() {
        define("tags-1");
        powerAndExpect("tags-1", PowerAction.START, PowerState.RUNNING);

        backend().updateTags("tags-1", Set.of("role=db", "backup"));
        restart();

        Vm vm = backend().find("tags-1").orElseThrow();
        assertEquals(Set.of("role=db", "backup"), vm.spec().tags());
        assertEquals(PowerState.RUNNING, vm.state());
        assertEquals(spec("tags-1").withTags(Set.of("role=db", "backup")), vm.spec(), "nothing but the tags changed");
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend().updateTags("tags-1", Set.of("no spaces")));
        assertEquals(Set.of("role=db", "backup"), backend().find("tags-1").orElseThrow().spec().tags());
        assertCode(ErrorCode.NOT_FOUND, () -> backend().updateTags("nosuch", Set.of("db")));
    }

    /** The backend of the current activation, opened on first use. */
    protected final HypervisorBackend backend() {
        if (backend == null) {
            backend = open();
            opened.add(backend);
        }
        return backend;
    }

    /** A node restart: this activation ends, a new one starts over the same state. */
    protected final void restart() {
        HypervisorBackend old = backend();
        opened.remove(old);
        close(old);
        backend = null;
        backend();
    }

    /** Every kind of field set, with devices every hypervisor has, so a lost field shows up as a difference. */
    protected VmSpec.Builder builder(String name) {
        return VmSpec.builder(name)
                .hypervisor(hypervisorName())
                .vcpus(2)
                .memoryMiB(768)
                .firmware(Firmware.BIOS)
                .disk(DiskSpec.of("pool-a", Validation.GIB))
                .disk(new DiskSpec("pool-b", 64 * Validation.MIB, VolumeFormat.RAW, DiskBus.VIRTIO))
                .nic(new NicSpec("lan", Optional.empty(), NicModel.VIRTIO))
                .boot(BootDevice.DISK)
                .tag("contract")
                .tag("web")
                .ha(new HaPolicy(true, 700));
    }

    protected VmSpec spec(String name) {
        return builder(name).build();
    }

    /** Two disks, qcow2 and raw, whose (empty) files exist: a hypervisor may open them on start. */
    protected List<AttachedDisk> disks(String vm) {
        return List.of(disk(vm, 0, VolumeFormat.QCOW2, "pool-a"), disk(vm, 1, VolumeFormat.RAW, "pool-b"));
    }

    protected List<AttachedNic> nics(String vm) {
        macSeq++;
        String mac = String.format(Locale.ROOT, "52:54:00:c0:%02x:%02x", macSeq / 256, macSeq % 256);
        return List.of(new AttachedNic("lan", UUID.randomUUID().toString(), mac, NicModel.VIRTIO,
                new NicBinding.Bridge(BRIDGE)));
    }

    protected final Vm define(String name) {
        return backend().define(UUID.randomUUID().toString(), spec(name), disks(name), nics(name));
    }

    protected final PowerState state(String name) {
        return backend().find(name).orElseThrow(() -> new AssertionError("VM " + name + " is gone")).state();
    }

    protected final void powerAndExpect(String name, PowerAction action, PowerState expected) {
        backend().power(name, action);
        assertEquals(expected, state(name), "after " + action + " of " + name);
    }

    /** Bounded poll: for the states a guest reaches in its own time. */
    protected final void awaitState(String name, PowerState expected) {
        Instant deadline = Instant.now().plus(SHUTDOWN_WAIT);
        PowerState now = state(name);
        while (now != expected) {
            if (Instant.now().isAfter(deadline)) {
                fail("VM " + name + " is " + now + ", not " + expected + ", after " + SHUTDOWN_WAIT);
            }
            sleep(Duration.ofMillis(50));
            now = state(name);
        }
    }

    protected static void assertCode(ErrorCode expected, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(expected, e.code(), e.getMessage());
    }

    private AttachedDisk disk(String vm, int index, VolumeFormat format, String pool) {
        String volume = vm + "-disk" + index;
        Path file = diskDir.resolve(volume + "." + format.id());
        try {
            Files.createDirectories(diskDir);
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new AttachedDisk(new VolumeRef(pool, volume), new DiskSource.File(file.toString()), format,
                DiskBus.VIRTIO);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
