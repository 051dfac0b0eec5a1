package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.DirectBoot;
import io.quantix.api.DiskSource;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * For the storage modules' integration tests (this module's test-jar): the libvirt backend on the host's real libvirtd, and the tiny guest that
 * the libvirt module's own libvirt-env.sh builds (run here by relative path, so there is one recipe). It lives in
 * the backend's package because opening the backend outside OSGi is package-private.
 */
public final class RealLibvirt {
    /** What the tiny guest prints on ttyS0 with the block devices it sees, every second, when asked to. */
    public static final String PARTITIONS = "QUANTIX-PARTITIONS";
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path GUEST = MODULE.resolve("target/tiny-guest");

    private RealLibvirt() {
    }

    /** Installs and starts libvirtd if needed, builds the guest, and opens the backend on qemu:///system. */
    public static LibvirtBackend open() throws IOException, InterruptedException {
        Process setup = new ProcessBuilder("sh", MODULE.resolve("../hypervisor-libvirt/src/test/sh/libvirt-env.sh").toString(),
                GUEST.toString()).redirectErrorStream(true).redirectOutput(MODULE.resolve("target/libvirt-env.log").toFile())
                .start();
        assertEquals(0, setup.waitFor(), "libvirt-env.sh failed: see target/libvirt-env.log");
        // short: the VM's channel sockets live below it, and a Unix socket path has at most 107 bytes
        System.setProperty("quantix.data.dir", Files.createTempDirectory(Path.of("/tmp"), "qx-st").toString());
        LibvirtBackend backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        return backend;
    }

    /** The tiny guest, printing the block devices it sees. */
    public static DirectBoot watchingPartitions() {
        return new DirectBoot(GUEST.resolve("vmlinuz").toString(), GUEST.resolve("initrd.gz").toString(),
                "console=ttyS0 quiet panic=-1 no_timer_check quantix.partitions=watch");
    }

    /** The last list of block devices the guest printed, or "" before the first. */
    public static String partitions(Vm vm) {
        return console(vm).lines().filter(l -> l.startsWith(PARTITIONS)).reduce((a, b) -> b).orElse("");
    }

    public static String console(Vm vm) {
        try {
            Path log = DomainXml.serialLog(Path.of(System.getProperty("quantix.data.dir")).resolve("run"), vm.id());
            return Files.exists(log) ? Files.readString(log) : "(no serial log)";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The host end of a running VM's virtio-serial channel to qemu-guest-agent (org.qemu.guest_agent.0). */
    /** {@link Libvirtd#await}: a bounded wait that fails with the guest's console output. */
    public static void await(String what, java.time.Duration limit, Vm vm, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        Libvirtd.await(what, limit, vm, condition);
    }

    public static Path guestAgentSocket(Vm vm) {
        return DomainXml.guestAgentSocket(Path.of(System.getProperty("quantix.data.dir")).resolve("run"), vm.id());
    }

    /** The host end of a running VM's Quantix agent channel (org.quantix.agent.0). */
    public static Path agentSocket(Vm vm) {
        return DomainXml.agentSocket(Path.of(System.getProperty("quantix.data.dir")).resolve("run"), vm.id());
    }

    /** Closes the backend and removes the node data directory {@link #open} made. */
    public static void close(LibvirtBackend backend) throws IOException {
        backend.close();
        try (var files = Files.walk(Path.of(System.getProperty("quantix.data.dir")))) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The running domain's XML as libvirt shows it. */
    public static String domainXml(String name) {
        try {
            Process p = new ProcessBuilder("virsh", "-c", ConnectionTarget.SYSTEM_URI, "dumpxml", name).start();
            String xml = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), "virsh dumpxml " + name);
            return xml;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Removes the libvirt secret the backend defined for a login, as a test's clean-up. */
    public static void removeSecret(DiskSource.Protocol protocol, DiskSource.Credentials login) throws Exception {
        String uuid = Xml.first(Xml.parse(NetworkDisks.secretXml(protocol, login)).getDocumentElement(), "uuid").getTextContent();
        new ProcessBuilder("virsh", "-c", ConnectionTarget.SYSTEM_URI, "secret-undefine", uuid).redirectErrorStream(true)
                .start().waitFor();
    }

    /** Force-stops and undefines a test VM if it exists. */
    public static void remove(LibvirtBackend backend, String name) {
        backend.find(name).ifPresent(vm -> {
            if (vm.state() != PowerState.STOPPED && vm.state() != PowerState.CRASHED) {
                backend.power(name, PowerAction.FORCE_STOP);
            }
            backend.undefine(name);
        });
    }
}
