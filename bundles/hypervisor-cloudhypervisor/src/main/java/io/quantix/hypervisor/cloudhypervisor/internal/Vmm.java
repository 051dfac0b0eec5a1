package io.quantix.hypervisor.cloudhypervisor.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/** A running VMM as the backend supervises it: only what the REST API cannot tell. */
interface Vmm {

    /** Process id, recorded so that a new activation can supervise a VMM it did not start. */
    long pid();

    /** Completes when the VMM has ended, whoever ended it (the guest powering off ends a CH process). */
    CompletableFuture<?> onExit();

    /** CPU time the VMM (guest vCPUs included) has used, where the OS tells it. */
    Optional<Duration> cpuTime();

    /** CPU time the guest's vCPU threads have run, where the OS tells it. */
    Optional<Duration> guestCpuTime();

    /** Last resort when the VMM does not end through its API. */
    void kill();

    /** A VMM that is an OS process. */
    record ProcessVmm(ProcessHandle process) implements Vmm {
        private static final Pattern VCPU_THREAD = Pattern.compile("vcpu\\d+");

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

        /** Cloud Hypervisor names each vCPU's thread {@code vcpu<N>}. */
        @Override
        public Optional<Duration> guestCpuTime() {
            return ThreadCpu.of(process.pid(), VCPU_THREAD.asMatchPredicate());
        }

        @Override
        public void kill() {
            process.destroyForcibly();
        }
    }
}
