package io.quantix.api;

import java.time.Instant;

/**
 * Counters of one VM at one instant; rates are the difference of two samples.
 *
 * <p>CPU time comes in two counters because a VM costs the host more than its guest runs: the hypervisor's own
 * threads (device emulation, I/O, its main loop) keep running, for instance, while the guest is paused.
 *
 * @param guestCpuNanos CPU time the guest's vCPUs have run: what the guest OS used. Stands still while the VM is
 *                      paused or stopped.
 * @param totalCpuNanos CPU time the whole VM has used on the host: the vCPUs plus the hypervisor's own threads;
 *                      never less than {@code guestCpuNanos}
 */
public record VmMetrics(String vm, Instant at, long guestCpuNanos, long totalCpuNanos, int vcpus, long memoryBytes,
        long diskReadBytes, long diskWriteBytes, long netRxBytes, long netTxBytes) {
    public VmMetrics {
        Validation.required("VM", vm);
        Validation.required("time", at);
        Validation.range("guest CPU time", guestCpuNanos, 0, Long.MAX_VALUE);
        Validation.range("total CPU time", totalCpuNanos, guestCpuNanos, Long.MAX_VALUE);
    }

    /** CPU time the hypervisor used for this VM beyond the guest's own: {@code totalCpuNanos - guestCpuNanos}. */
    public long overheadCpuNanos() {
        return totalCpuNanos - guestCpuNanos;
    }
}
