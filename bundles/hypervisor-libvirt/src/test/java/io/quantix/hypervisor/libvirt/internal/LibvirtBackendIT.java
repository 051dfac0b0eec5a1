package io.quantix.hypervisor.libvirt.internal;

import static io.quantix.hypervisor.libvirt.internal.Libvirtd.MARKER;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.POWEROFF;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.await;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.awaitState;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libvirt backend on the host's real libvirtd and QEMU (TCG): real guests boot, print on their serial
 * console and obey or ignore the power button. Guest boots are slow without KVM (~9 s), so the tests share one
 * booted guest, and a second one, which ignores ACPI, for the forced paths; each test asks for the state it needs
 * ({@link #runningGuest()}, {@link #stoppedHungGuest()}) instead of relying on what the test before it left, so a
 * failure is reported once, by the test where it happens.
 */
@Tag("libvirtd")
class LibvirtBackendIT {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtBackendIT.class);
    private static final String GUEST = "qx-it-guest";
    private static final String HUNG = "qx-it-hung";
    private static final String NASTY = "qx-it-nasty";
    private static final String FOREIGN = "qx-it-foreign";
    private static final Duration BOOT = Duration.ofSeconds(60);
    /** The hung guest's backend gives up on graceful shutdowns this soon. */
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(4);

    private static LibvirtBackend backend;
    private static LibvirtBackend impatient;

    @BeforeAll
    static void startLibvirtd() throws Exception {
        Libvirtd.prepare();
        backend = open(LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT);
        impatient = open(SHORT_TIMEOUT);
        // A previous run that was killed may have left its VMs behind.
        cleanUp();
    }

    private static void cleanUp() throws Exception {
        for (String name : List.of(GUEST, HUNG, NASTY)) {
            Libvirtd.remove(backend, name);
        }
        withConnection(c -> {
            if (List.of(c.listDefinedDomains()).contains(FOREIGN)) {
                c.domainLookupByName(FOREIGN).undefine();
            }
        });
    }

    @AfterAll
    static void close() throws Exception {
        cleanUp();
        backend.close();
        impatient.close();
    }

    /**
     * The shared guest, running and booted to its init, whatever an earlier test left: defined and started on first
     * use, resumed if paused, started again if stopped. A start truncates the serial log, so the boot marker counts
     * from 1 again.
     */
    private static Vm runningGuest() throws InterruptedException {
        long start = System.nanoTime();
        Vm guest = backend.find(GUEST).orElseGet(() ->
                backend.define(UUID.randomUUID().toString(), spec(GUEST, Libvirtd.CMDLINE), List.of(), List.of()));
        switch (guest.state()) {
            case RUNNING -> { }
            case PAUSED -> backend.power(GUEST, PowerAction.RESUME);
            default -> backend.power(GUEST, PowerAction.START);
        }
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state(), "the shared guest runs");
        await("boot marker", BOOT, guest, () -> count(guest, MARKER) >= 1);
        LOG.info("shared guest ready (was {}) in {} ms", guest.state(), (System.nanoTime() - start) / 1_000_000);
        return guest;
    }

    /** The guest that ignores ACPI, defined and stopped. */
    private static Vm stoppedHungGuest() {
        Vm hung = impatient.find(HUNG).orElseGet(() -> impatient.define(UUID.randomUUID().toString(),
                spec(HUNG, Libvirtd.CMDLINE + Libvirtd.IGNORE_ACPI), List.of(), List.of()));
        if (hung.state() != PowerState.STOPPED) {
            impatient.power(HUNG, PowerAction.FORCE_STOP);
        }
        return hung;
    }

    @Test
    void aDirectKernelBootReachesTheGuestsInitWhichPrintsOnTheSerialConsole() throws Exception {
        Libvirtd.remove(backend, GUEST);
        long start = System.nanoTime();

        Vm guest = runningGuest();

        LOG.info("create to guest marker on the serial console: {} ms", (System.nanoTime() - start) / 1_000_000);
        assertEquals(1, count(guest, MARKER), Libvirtd.console(guest));
        assertEquals(Libvirtd.boot(Libvirtd.CMDLINE), backend.find(GUEST).orElseThrow().spec().directBoot().orElseThrow());
    }

    @Test
    void aRunningVmHasBothAgentChannelsAndTheQuantixOneIsASocketOnTheHost() throws Exception {
        Vm guest = runningGuest();

        BasicFileAttributes socket = Files.readAttributes(Libvirtd.agentSocket(guest), BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        assertTrue(socket.isOther(), "a unix socket, not a file");
        withConnection(c -> {
            String live = c.domainLookupByName(GUEST).getXMLDesc(0);
            assertTrue(live.contains("name='" + DomainXml.AGENT_CHANNEL + "'"), live);
            assertTrue(live.contains("name='" + DomainXml.QEMU_GA_CHANNEL + "'"), live);
        });
    }

    @Test
    void metricsOfARunningGuestMove() throws Exception {
        Vm guest = runningGuest();
        VmMetrics first = backend.metrics(GUEST);
        // An idle guest may use less than the 10 ms the host accounts in: wait for it to use some, within a bound.
        await("guest CPU time grows", Duration.ofSeconds(10), guest,
                () -> backend.metrics(GUEST).guestCpuNanos() > first.guestCpuNanos());
        VmMetrics second = backend.metrics(GUEST);

        assertTrue(second.at().isAfter(first.at()), first + " then " + second);
        assertTrue(second.totalCpuNanos() >= second.guestCpuNanos(), second.toString());
        assertEquals(1, second.vcpus());
        assertEquals(256 * Validation.MIB, second.memoryBytes());
    }

    @Test
    void aPausedGuestsVcpusUseNoCpuUntilResumed() throws Exception {
        Vm guest = runningGuest();
        backend.power(GUEST, PowerAction.PAUSE);
        try {
            assertEquals(PowerState.PAUSED, backend.find(GUEST).orElseThrow().state());
            VmMetrics paused = backend.metrics(GUEST);
            // Not a wait for something to happen but the span over which nothing may: the vCPU threads are
            // stopped, so their time stands exactly still (QEMU's own threads may still run: the total may move).
            Thread.sleep(500);
            VmMetrics later = backend.metrics(GUEST);
            assertEquals(paused.guestCpuNanos(), later.guestCpuNanos(), "guest CPU time while paused: " + later);
            assertTrue(later.totalCpuNanos() >= paused.totalCpuNanos(), paused + " then " + later);

            backend.power(GUEST, PowerAction.RESUME);
            assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
            // An idle guest uses little CPU: wait for it to use some, within a bound.
            await("guest CPU time grows after resume", Duration.ofSeconds(10), guest,
                    () -> backend.metrics(GUEST).guestCpuNanos() > paused.guestCpuNanos());
        } finally {
            if (backend.find(GUEST).orElseThrow().state() == PowerState.PAUSED) {
                backend.power(GUEST, PowerAction.RESUME);
            }
        }
    }

    @Test
    void rebootBootsTheGuestAgain() throws Exception {
        Vm guest = runningGuest();
        long boots = count(guest, MARKER);

        backend.power(GUEST, PowerAction.REBOOT);

        // A reboot keeps the QEMU process, and with it the serial log.
        await("boot marker number " + (boots + 1), BOOT, guest, () -> count(guest, MARKER) == boots + 1);
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
    }

    @Test
    void gracefulShutdownLetsTheGuestPowerItselfOff() throws Exception {
        Vm guest = runningGuest();
        long poweroffs = count(guest, POWEROFF);
        long start = System.nanoTime();
        backend.power(GUEST, PowerAction.SHUTDOWN);

        // Well inside the 60 s fallback, and the guest says it was the one who powered off.
        awaitState(backend, guest, PowerState.STOPPED, Duration.ofSeconds(30));
        assertTrue(System.nanoTime() - start < LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT.toNanos());
        assertEquals(poweroffs + 1, count(guest, POWEROFF), Libvirtd.console(guest));
        assertFalse(Files.exists(Libvirtd.agentSocket(guest)), "the agent socket goes with the guest");
    }

    @Test
    void aGuestIgnoringTheShutdownIsForcedOffAfterTheTimeout() throws Exception {
        Vm hung = stoppedHungGuest();
        impatient.power(HUNG, PowerAction.START);
        try {
            await("boot marker", BOOT, hung, () -> count(hung, "QUANTIX-ACPI-IGNORED") == 1);

            long start = System.nanoTime();
            impatient.power(HUNG, PowerAction.SHUTDOWN);
            // Not a wait for something to happen: half way to the timeout, the guest must still be running.
            Thread.sleep(SHORT_TIMEOUT.toMillis() / 2);
            assertEquals(PowerState.RUNNING, impatient.find(HUNG).orElseThrow().state(), "the guest ignored the button");

            awaitState(impatient, hung, PowerState.STOPPED, SHORT_TIMEOUT.plusSeconds(20));
            assertTrue(System.nanoTime() - start >= SHORT_TIMEOUT.toNanos(), "not forced before the timeout");
            assertEquals(0, count(hung, POWEROFF), Libvirtd.console(hung));
        } finally {
            stoppedHungGuest();
        }
    }

    @Test
    void forceStopEndsARunningGuestAtOnce() {
        stoppedHungGuest();
        impatient.power(HUNG, PowerAction.START);
        try {
            assertEquals(PowerState.RUNNING, impatient.find(HUNG).orElseThrow().state());

            impatient.power(HUNG, PowerAction.FORCE_STOP);

            assertEquals(PowerState.STOPPED, impatient.find(HUNG).orElseThrow().state());
        } finally {
            stoppedHungGuest();
        }
    }

    @Test
    void xmlSignificantCharactersReachLibvirtIntactAndAMissingFileFailsTheStartCleanly() {
        String dir = "/nonexistent/q&<a>'\"b";
        VmSpec spec = VmSpec.builder(NASTY).memoryMiB(128).disk(DiskSpec.of("p", Validation.GIB))
                .directBoot(new DirectBoot(dir + "/vmlinuz", dir + "/initrd.gz", "console=ttyS0 x=&<a>")).build();
        List<AttachedDisk> disks = List.of(new AttachedDisk(new VolumeRef("p", "v"), new DiskSource.File(dir + "/disk.qcow2"),
                VolumeFormat.QCOW2, DiskBus.VIRTIO));

        Vm defined = backend.define(UUID.randomUUID().toString(), spec, disks, List.of());
        try {
            assertEquals(new Vm(defined.id(), spec, PowerState.STOPPED, disks, List.of()), backend.find(NASTY).orElseThrow());
            QuantixException e = assertThrows(QuantixException.class, () -> backend.power(NASTY, PowerAction.START));
            assertTrue(e.getMessage().contains("/nonexistent/"), e.getMessage());
            assertEquals(PowerState.STOPPED, backend.find(NASTY).orElseThrow().state());
            backend.undefine(NASTY);
            assertTrue(backend.find(NASTY).isEmpty());
        } finally {
            Libvirtd.remove(backend, NASTY);
        }
    }

    @Test
    void aDomainDefinedOutsideQuantixIsListedAsUnmanagedAndLeftAlone() throws Exception {
        withConnection(c -> c.domainDefineXML("<domain type='qemu'><name>" + FOREIGN + "</name><memory unit='MiB'>64"
                + "</memory><os><type arch='x86_64'>hvm</type></os></domain>"));
        try {
            assertTrue(backend.unmanaged().contains(FOREIGN), backend.unmanaged().toString());
            assertTrue(backend.list().stream().noneMatch(vm -> vm.name().equals(FOREIGN)));
            assertTrue(backend.find(FOREIGN).isEmpty());
        } finally {
            withConnection(c -> c.domainLookupByName(FOREIGN).undefine());
        }
    }

    private static VmSpec spec(String name, String cmdline) {
        return VmSpec.builder(name).memoryMiB(256).directBoot(Libvirtd.boot(cmdline)).build();
    }

    private static LibvirtBackend open(Duration shutdownTimeout) {
        LibvirtBackend opened = new LibvirtBackend();
        // TCG whatever the host has: the tests must behave the same on hosts with and without KVM.
        opened.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false), shutdownTimeout, "qemu");
        return opened;
    }

    /** Some checks need libvirt's own view, beside the backend's. */
    private static void withConnection(LibvirtCall call) throws Exception {
        Connect connect = new Connect(ConnectionTarget.SYSTEM_URI, false);
        try {
            call.run(connect);
        } finally {
            connect.close();
        }
    }

    @FunctionalInterface
    private interface LibvirtCall {
        void run(Connect connect) throws Exception;
    }
}
