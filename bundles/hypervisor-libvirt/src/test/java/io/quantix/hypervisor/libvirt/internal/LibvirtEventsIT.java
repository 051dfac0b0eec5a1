package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.spi.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifecycle events from the real libvirtd, including changes Quantix did not make (virsh), and after libvirtd
 * was restarted under the backend: it reconnects by itself and events flow again. The restart also stands in for
 * a node boot, which starts the VMs marked for autostart.
 */
@Tag("libvirtd")
class LibvirtEventsIT {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtEventsIT.class);
    private static final String GUEST = "qx-it-events";
    /** Marked to start with the node; stopped until libvirtd starts as after a node boot. */
    private static final String AUTOSTARTED = "qx-it-autostart";
    /** libvirtd starts autostart VMs only if this is missing: once per host boot, since /run starts empty. */
    private static final Path AUTOSTARTED_MARKER = Path.of("/run/libvirt/qemu/autostarted");
    private static final Duration EVENT_WAIT = Duration.ofSeconds(30);

    private static LibvirtBackend backend;
    private static Vm guest;
    private static final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void open() throws Exception {
        Libvirtd.prepare();
        backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        Libvirtd.remove(backend, GUEST);
        Libvirtd.remove(backend, AUTOSTARTED);
        backend.addListener(e -> events.add(e.kind() + " " + e.type() + " " + e.subject()));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            Libvirtd.remove(backend, GUEST);
            Libvirtd.remove(backend, AUTOSTARTED);
            backend.close();
        }
    }

    @Test
    void eventsArriveForQuantixAndOutsideChangesAndAgainAfterLibvirtdRestarts() throws Exception {
        guest = backend.define(UUID.randomUUID().toString(),
                VmSpec.builder(GUEST).memoryMiB(256).directBoot(Libvirtd.boot(Libvirtd.CMDLINE)).build(), List.of(),
                List.of());
        backend.power(GUEST, PowerAction.START);
        awaitEvent("VM STARTED " + GUEST);
        backend.power(GUEST, PowerAction.PAUSE);
        awaitEvent("VM PAUSED " + GUEST);
        // Not through Quantix: the event still arrives, which is why state events come from the hypervisor.
        HostCommand.run(List.of("virsh", "-c", ConnectionTarget.SYSTEM_URI, "resume", GUEST));
        awaitEvent("VM RESUMED " + GUEST);

        Vm autostarted = backend.define(UUID.randomUUID().toString(),
                VmSpec.builder(AUTOSTARTED).memoryMiB(256).directBoot(Libvirtd.boot(Libvirtd.CMDLINE)).build(), List.of(),
                List.of());
        backend.setAutostart(AUTOSTARTED, true);
        assertTrue(backend.autostart(AUTOSTARTED));
        assertTrue(HostCommand.run(List.of("virsh", "-c", ConnectionTarget.SYSTEM_URI, "dominfo", AUTOSTARTED))
                .matches("(?s).*Autostart:\\s+enable.*"), "libvirt's own flag is set");
        assertFalse(backend.autostart(GUEST));

        long start = System.nanoTime();
        restartLibvirtd();
        // The backend's own calls work again once it reconnected.
        Libvirtd.await("the backend answers after the restart", EVENT_WAIT, guest, () -> {
            try {
                return backend.find(GUEST).orElseThrow().state() == PowerState.RUNNING;
            } catch (RuntimeException e) {
                return false;
            }
        });
        LOG.info("backend usable {} ms after libvirtd was killed", (System.nanoTime() - start) / 1_000_000);
        // The node came up with the VM marked for it: libvirtd started it, and the guest booted.
        Libvirtd.await("the autostart VM runs", EVENT_WAIT, autostarted,
                () -> backend.find(AUTOSTARTED).orElseThrow().state() == PowerState.RUNNING);
        // Re-read from libvirt after the reconnect: the whole VM, not just its state.
        assertEquals(autostarted.withState(PowerState.RUNNING), backend.find(AUTOSTARTED).orElseThrow());
        Libvirtd.await("its boot marker", Duration.ofSeconds(60), autostarted,
                () -> Libvirtd.count(autostarted, Libvirtd.MARKER) == 1);
        backend.setAutostart(AUTOSTARTED, false);
        assertFalse(backend.autostart(AUTOSTARTED));

        events.clear();
        HostCommand.run(List.of("virsh", "-c", ConnectionTarget.SYSTEM_URI, "destroy", GUEST));
        awaitEvent("VM STOPPED " + GUEST);
        // QEMU reports the end of a destroyed guest as SHUTDOWN, then libvirt STOPPED: each exactly once, so the
        // reconnect did not leave a second registration behind.
        assertEquals(List.copyOf(new java.util.LinkedHashSet<>(events)), events, "an event twice: " + events);
        assertEquals("VM STOPPED " + GUEST, events.get(events.size() - 1), events.toString());
    }

    private static void awaitEvent(String expected) throws InterruptedException {
        Libvirtd.await("event " + expected + " (seen: " + events + ")", EVENT_WAIT, guest, () -> events.contains(expected));
    }

    /**
     * As a package upgrade or an operator would: libvirtd goes away, its guests keep running, it comes back. Its
     * autostart marker goes too, as with a node boot, which empties /run: the restarted libvirtd starts the VMs
     * marked for autostart (its own guests that still run are left as they are).
     */
    private static void restartLibvirtd() throws Exception {
        String pid = HostCommand.run(List.of("pidof", "libvirtd")).strip();
        assertTrue(pid.matches("\\d+"), "one libvirtd: " + pid);
        HostCommand.run(List.of("kill", pid));
        Libvirtd.await("libvirtd " + pid + " exits", EVENT_WAIT, guest,
                () -> !Files.exists(Path.of("/proc", pid)));
        Files.deleteIfExists(AUTOSTARTED_MARKER);
        HostCommand.run(List.of("libvirtd", "-d"));
        Libvirtd.await("libvirtd answers", EVENT_WAIT, guest, LibvirtEventsIT::libvirtdAnswers);
    }

    /** A libvirtd still starting up may keep a client waiting: that counts as not ready yet. */
    private static boolean libvirtdAnswers() {
        try {
            return HostCommand.execute(List.of("virsh", "-c", ConnectionTarget.SYSTEM_URI, "version"),
                    Duration.ofSeconds(5)).exitCode() == 0;
        } catch (io.quantix.api.QuantixException e) {
            return false;
        }
    }
}
