package io.quantix.hypervisor.cloudhypervisor.internal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The seam between the backend and the {@code cloud-hypervisor} program: the only place a VMM is started. The
 * production implementation ({@link ProcessVmmLauncher}) runs the configured binary with {@code --api-socket}; tests
 * put a double of the VMM on the socket instead, in the same JVM, so no test needs /dev/kvm. Everything after the
 * start goes through the socket and is the same in both.
 */
interface VmmLauncher {

    /**
     * Starts one VMM for one VM. Returns once it runs; the caller waits for the socket to answer.
     *
     * @param apiSocket where the VMM must serve its REST API; it does not exist yet
     * @param log where the VMM's own output goes
     */
    Vmm launch(String vm, Path apiSocket, Path log);

    /** A VMM an earlier activation launched, by the {@link Vmm#pid()} it recorded; empty if it has ended. */
    Optional<Vmm> find(long pid);
}
