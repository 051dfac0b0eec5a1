package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.Vm;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The libvirt backend's test entry points (package-private there) for the Ceph module's guest test, which runs
 * a real guest whose disk is an RBD volume. Opened exactly as the libvirt module's own ITs open it.
 */
public final class LibvirtForCephTests {
    private LibvirtForCephTests() {
    }

    /** On qemu:///system, TCG whatever the host has, so the test behaves the same with and without KVM. */
    public static LibvirtBackend open() {
        LibvirtBackend backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        return backend;
    }

    public static void close(LibvirtBackend backend) {
        backend.close();
    }

    /** The guest's serial console log, below the node's data directory. */
    public static Path serialLog(Path dataDir, Vm vm) {
        return DomainXml.serialLog(dataDir.resolve("run"), vm.id());
    }
}
