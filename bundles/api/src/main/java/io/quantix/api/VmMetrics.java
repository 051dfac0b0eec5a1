package io.quantix.api;

import java.time.Instant;
import java.util.List;

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
 * @param disks the counters of each disk, empty where the VM is not running or the backend has none per device;
 *              {@code diskReadBytes} and {@code diskWriteBytes} are their sums where given
 * @param nics the counters of each NIC, likewise; {@code netRxBytes} and {@code netTxBytes} are their sums
 */
public record VmMetrics(String vm, Instant at, long guestCpuNanos, long totalCpuNanos, int vcpus, long memoryBytes,
        long diskReadBytes, long diskWriteBytes, long netRxBytes, long netTxBytes, List<DiskCounters> disks,
        List<NicCounters> nics) {
    public VmMetrics {
        Validation.required("VM", vm);
        Validation.required("time", at);
        Validation.range("guest CPU time", guestCpuNanos, 0, Long.MAX_VALUE);
        Validation.range("total CPU time", totalCpuNanos, guestCpuNanos, Long.MAX_VALUE);
        disks = Validation.list("disk counters", disks);
        nics = Validation.list("NIC counters", nics);
    }

    /** Totals only, for a backend without counters per device. */
    public VmMetrics(String vm, Instant at, long guestCpuNanos, long totalCpuNanos, int vcpus, long memoryBytes,
            long diskReadBytes, long diskWriteBytes, long netRxBytes, long netTxBytes) {
        this(vm, at, guestCpuNanos, totalCpuNanos, vcpus, memoryBytes, diskReadBytes, diskWriteBytes, netRxBytes,
                netTxBytes, List.of(), List.of());
    }

    /** Totals from the counters of each device. */
    public static VmMetrics of(String vm, Instant at, long guestCpuNanos, long totalCpuNanos, int vcpus,
            long memoryBytes, List<DiskCounters> disks, List<NicCounters> nics) {
        return new VmMetrics(vm, at, guestCpuNanos, totalCpuNanos, vcpus, memoryBytes,
                disks.stream().mapToLong(DiskCounters::readBytes).sum(),
                disks.stream().mapToLong(DiskCounters::writeBytes).sum(),
                nics.stream().mapToLong(NicCounters::rxBytes).sum(),
                nics.stream().mapToLong(NicCounters::txBytes).sum(), disks, nics);
    }

    /** CPU time the hypervisor used for this VM beyond the guest's own: {@code totalCpuNanos - guestCpuNanos}. */
    public long overheadCpuNanos() {
        return totalCpuNanos - guestCpuNanos;
    }
}
