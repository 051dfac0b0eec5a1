package io.quantix.hypervisor.cloudhypervisor.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A running VMM as the backend supervises it: only what the REST API cannot tell. */
interface Vmm {

    /** Process id, recorded so that a new activation can supervise a VMM it did not start. */
    long pid();

    /** Completes when the VMM has ended, whoever ended it (the guest powering off ends a CH process). */
    CompletableFuture<?> onExit();

    /** CPU time the VMM (guest vCPUs included) has used, where the OS tells it. */
    Optional<Duration> cpuTime();

    /** Last resort when the VMM does not end through its API. */
    void kill();

    /** A VMM that is an OS process. */
    record ProcessVmm(ProcessHandle process) implements Vmm {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<?> onExit() {
            return process.onExit();
        }

        @Override
        public Optional<Duration> cpuTime() {
            return process.info().totalCpuDuration();
        }

        @Override
        public void kill() {
            process.destroyForcibly();
        }
    }
}
