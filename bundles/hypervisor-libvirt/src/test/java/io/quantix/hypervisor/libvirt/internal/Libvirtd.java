package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.DirectBoot;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the real-libvirtd tests: runs the module's libvirt-env.sh (packages, daemons, the tiny
 * guest) once per JVM, and gives the tests the tiny guest's boot files and polling helpers.
 */
final class Libvirtd {
    /** What the tiny guest's /init prints on ttyS0 at every boot. */
    static final String MARKER = "QUANTIX-GUEST-UP";
    /** What it prints when the power button made it power off. */
    static final String POWEROFF = "QUANTIX-GUEST-POWEROFF";
    /** no_timer_check: under TCG the kernel's IO-APIC timer check can fail and panic a slow-starting guest. */
    static final String CMDLINE = "console=ttyS0 quiet panic=-1 no_timer_check";
    /** Makes the guest ignore the power button, like a hung or unwilling OS. */
    static final String IGNORE_ACPI = " quantix.acpi=ignore";
    /** Makes the guest print its block devices every second: a sign of life, and what it sees of hot-plugged disks. */
    static final String WATCH_PARTITIONS = " quantix.partitions=watch";
    static final String PARTITIONS = "QUANTIX-PARTITIONS";

    private static final Logger LOG = LoggerFactory.getLogger(Libvirtd.class);
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path GUEST = MODULE.resolve("target/tiny-guest");
    private static boolean prepared;

    private Libvirtd() {
    }

    /** Idempotent and quick once done; the node's data directory goes under target/ so runs leave nothing else. */
    static synchronized void prepare() throws IOException, InterruptedException {
        if (prepared) {
            return;
        }
        assertEquals("root", System.getProperty("user.name"),
                "the libvirtd integration tests install packages and start libvirtd: run them as root, or skip with -DskipITs");
        long start = System.nanoTime();
        Process setup = new ProcessBuilder("sh", MODULE.resolve("src/test/sh/libvirt-env.sh").toString(), GUEST.toString())
                .redirectErrorStream(true).redirectOutput(MODULE.resolve("target/libvirt-env.log").toFile()).start();
        assertEquals(0, setup.waitFor(), "libvirt-env.sh failed: see target/libvirt-env.log");
        LOG.info("libvirtd and the tiny guest ready in {} ms", (System.nanoTime() - start) / 1_000_000);
        // short on purpose: the VM's channel sockets live below it, and a Unix socket path has at most 107 bytes,
        // which a checkout's target/ folder can exceed
        System.setProperty("quantix.data.dir", Files.createTempDirectory(Path.of("/tmp"), "qx-it").toString());
        prepared = true;
    }

    /**
     * Starts a second libvirtd (src/test/sh/libvirt-peer.sh) as another user with its own host_uuid: the
     * destination of migrations, as another node would be. Stop it with {@link #stopPeer}.
     *
     * @return its connection URI
     */
    static String startPeer(Path dir) throws IOException, InterruptedException {
        return peer("start", dir).strip();
    }

    static void stopPeer(Path dir) throws IOException, InterruptedException {
        peer("stop", dir);
    }

    private static String peer(String action, Path dir) throws IOException, InterruptedException {
        Process peer = new ProcessBuilder("sh", MODULE.resolve("src/test/sh/libvirt-peer.sh").toString(), action,
                dir.toString()).redirectError(ProcessBuilder.Redirect.appendTo(MODULE.resolve("target/libvirt-env.log")
                .toFile())).start();
        String out = new String(peer.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, peer.waitFor(), "libvirt-peer.sh " + action + " failed: see target/libvirt-env.log");
        return out;
    }

    static DirectBoot boot(String cmdline) {
        return new DirectBoot(GUEST.resolve("vmlinuz").toString(), GUEST.resolve("initrd.gz").toString(), cmdline);
    }

    static Path serialLog(Vm vm) {
        return DomainXml.serialLog(Path.of(System.getProperty("quantix.data.dir")).resolve("run"), vm.id());
    }

    static Path agentSocket(Vm vm) {
        return DomainXml.agentSocket(Path.of(System.getProperty("quantix.data.dir")).resolve("run"), vm.id());
    }

    /** How many times the marker is on the VM's serial console. */
    static long count(Vm vm, String marker) {
        Path log = serialLog(vm);
        try {
            return Files.exists(log) ? Files.readString(log).lines().filter(l -> l.contains(marker)).count() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String console(Vm vm) {
        try {
            return Files.exists(serialLog(vm)) ? Files.readString(serialLog(vm)) : "(no serial log)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls every 100 ms; fails with the guest's console output if the condition is not met in time. */
    static void await(String what, Duration limit, Vm vm, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what + "; console:\n" + console(vm));
            }
            Thread.sleep(100);
        }
    }

    static void awaitState(LibvirtBackend backend, Vm vm, PowerState state, Duration limit) throws InterruptedException {
        await(vm.name() + " " + state, limit, vm, () -> backend.find(vm.name()).orElseThrow().state() == state);
    }

    /** Force-stops and undefines a test VM if it exists, whatever state a failed test left it in. */
    static void remove(LibvirtBackend backend, String name) {
        backend.find(name).ifPresent(vm -> {
            if (vm.state() != PowerState.STOPPED && vm.state() != PowerState.CRASHED) {
                backend.power(name, PowerAction.FORCE_STOP);
            }
            backend.undefine(name);
        });
        assertTrue(backend.find(name).isEmpty(), name + " is gone");
    }
}
