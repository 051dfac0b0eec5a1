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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.libvirt.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libvirt backend on the host's real libvirtd and QEMU (TCG): real guests boot, print on their serial
 * console and obey or ignore the power button. Guest boots are slow without KVM (~9 s), so one guest goes
 * through the whole lifecycle in order, and a second one, which ignores ACPI, covers the forced paths.
 */
@Tag("libvirtd")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    private static Vm guest;

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

    @Test
    @Order(1)
    void aDirectKernelBootReachesTheGuestsInitWhichPrintsOnTheSerialConsole() throws Exception {
        long start = System.nanoTime();
        guest = backend.define(UUID.randomUUID().toString(), spec(GUEST, Libvirtd.CMDLINE), List.of(), List.of());
        backend.power(GUEST, PowerAction.START);

        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
        await("boot marker", BOOT, guest, () -> count(guest, MARKER) == 1);
        LOG.info("create to guest marker on the serial console: {} ms", (System.nanoTime() - start) / 1_000_000);
        assertEquals(Libvirtd.boot(Libvirtd.CMDLINE), backend.find(GUEST).orElseThrow().spec().directBoot().orElseThrow());
    }

    @Test
    @Order(2)
    void aRunningVmHasBothAgentChannelsAndTheQuantixOneIsASocketOnTheHost() throws Exception {
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
    @Order(3)
    void metricsOfARunningGuestMove() throws Exception {
        VmMetrics first = backend.metrics(GUEST);
        // An idle guest may use less than the 10 ms the host accounts in: wait for it to use some, within a bound.
        await("CPU time grows", Duration.ofSeconds(10), guest,
                () -> backend.metrics(GUEST).cpuTimeNanos() > first.cpuTimeNanos());
        VmMetrics second = backend.metrics(GUEST);

        assertTrue(second.at().isAfter(first.at()), first + " then " + second);
        assertEquals(1, second.vcpus());
        assertEquals(256 * Validation.MIB, second.memoryBytes());
    }

    @Test
    @Order(4)
    void aPausedGuestUsesNoCpuUntilResumed() throws Exception {
        backend.power(GUEST, PowerAction.PAUSE);
        assertEquals(PowerState.PAUSED, backend.find(GUEST).orElseThrow().state());
        long paused = backend.metrics(GUEST).cpuTimeNanos();
        Thread.sleep(500);
        assertEquals(paused, backend.metrics(GUEST).cpuTimeNanos(), "CPU time while paused");

        backend.power(GUEST, PowerAction.RESUME);
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
        // An idle guest uses little CPU: wait for it to use some, within a bound.
        await("CPU time grows after resume", Duration.ofSeconds(10), guest,
                () -> backend.metrics(GUEST).cpuTimeNanos() > paused);
    }

    @Test
    @Order(5)
    void rebootBootsTheGuestAgain() throws Exception {
        backend.power(GUEST, PowerAction.REBOOT);

        await("second boot marker", BOOT, guest, () -> count(guest, MARKER) == 2);
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
    }

    @Test
    @Order(6)
    void gracefulShutdownLetsTheGuestPowerItselfOff() throws Exception {
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
    @Order(7)
    void aGuestIgnoringTheShutdownIsForcedOffAfterTheTimeout() throws Exception {
        Vm hung = impatient.define(UUID.randomUUID().toString(), spec(HUNG, Libvirtd.CMDLINE + Libvirtd.IGNORE_ACPI),
                List.of(), List.of());
        impatient.power(HUNG, PowerAction.START);
        await("boot marker", BOOT, hung, () -> count(hung, "QUANTIX-ACPI-IGNORED") == 1);

        long start = System.nanoTime();
        impatient.power(HUNG, PowerAction.SHUTDOWN);
        Thread.sleep(SHORT_TIMEOUT.toMillis() / 2);
        assertEquals(PowerState.RUNNING, impatient.find(HUNG).orElseThrow().state(), "the guest ignored the button");

        awaitState(impatient, hung, PowerState.STOPPED, SHORT_TIMEOUT.plusSeconds(20));
        assertTrue(System.nanoTime() - start >= SHORT_TIMEOUT.toNanos(), "not forced before the timeout");
        assertEquals(0, count(hung, POWEROFF), Libvirtd.console(hung));
    }

    @Test
    @Order(8)
    void forceStopEndsARunningGuestAtOnce() {
        impatient.power(HUNG, PowerAction.START);
        assertEquals(PowerState.RUNNING, impatient.find(HUNG).orElseThrow().state());

        impatient.power(HUNG, PowerAction.FORCE_STOP);

        assertEquals(PowerState.STOPPED, impatient.find(HUNG).orElseThrow().state());
    }

    @Test
    @Order(9)
    void xmlSignificantCharactersReachLibvirtIntactAndAMissingFileFailsTheStartCleanly() {
        String dir = "/nonexistent/q&<a>'\"b";
        VmSpec spec = VmSpec.builder(NASTY).memoryMiB(128).disk(DiskSpec.of("p", Validation.GIB))
                .directBoot(new DirectBoot(dir + "/vmlinuz", dir + "/initrd.gz", "console=ttyS0 x=&<a>")).build();
        List<AttachedDisk> disks = List.of(new AttachedDisk(new VolumeRef("p", "v"), new DiskSource.File(dir + "/disk.qcow2"),
                VolumeFormat.QCOW2, DiskBus.VIRTIO));

        Vm defined = backend.define(UUID.randomUUID().toString(), spec, disks, List.of());

        assertEquals(new Vm(defined.id(), spec, PowerState.STOPPED, disks, List.of()), backend.find(NASTY).orElseThrow());
        QuantixException e = assertThrows(QuantixException.class, () -> backend.power(NASTY, PowerAction.START));
        assertTrue(e.getMessage().contains("/nonexistent/"), e.getMessage());
        assertEquals(PowerState.STOPPED, backend.find(NASTY).orElseThrow().state());
        backend.undefine(NASTY);
        assertTrue(backend.find(NASTY).isEmpty());
    }

    @Test
    @Order(10)
    void aDomainDefinedOutsideQuantixIsListedAsUnmanagedAndLeftAlone() throws Exception {
        withConnection(c -> c.domainDefineXML("<domain type='qemu'><name>" + FOREIGN + "</name><memory unit='MiB'>64"
                + "</memory><os><type arch='x86_64'>hvm</type></os></domain>"));

        assertTrue(backend.unmanaged().contains(FOREIGN), backend.unmanaged().toString());
        assertTrue(backend.list().stream().noneMatch(vm -> vm.name().equals(FOREIGN)));
        assertTrue(backend.find(FOREIGN).isEmpty());
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
