package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.DiskCounters;
import io.quantix.api.NicCounters;
import io.quantix.api.VmMetrics;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Checks a bulk reading of a VM's metrics against two per-domain readings taken just before and just after it:
 * counters only grow, so each bulk counter lies between the two; sizes and devices are the same.
 */
final class BulkMetricsCheck {
    private static final long TICK_NANOS = 10_000_000;

    private BulkMetricsCheck() {
    }

    static void assertBetween(VmMetrics before, VmMetrics bulk, VmMetrics after) {
        String what = "\nbefore " + before + "\nbulk   " + bulk + "\nafter  " + after;
        assertEquals(before.vm(), bulk.vm(), what);
        assertEquals(before.vcpus(), bulk.vcpus(), "vCPUs" + what);
        assertEquals(before.memoryBytes(), bulk.memoryBytes(), "memory" + what);
        between("guest CPU", before, bulk, after, VmMetrics::guestCpuNanos, what);
        // virDomainGetInfo's cpuTime is the process's user and system time from /proc, each truncated to the
        // kernel's 1/100 s ticks, where the bulk call reads the cgroup's nanoseconds: the per-domain figure trails
        // the true one by up to two ticks (measured on libvirt 9.0: bulk 8.800215 s, a later per-domain 8.790 s;
        // earlier 6.835119 s in bulk against 6.830 s), so the bulk figure may be up to two ticks ahead of a later
        // per-domain one, never behind an earlier one
        long total = bulk.totalCpuNanos();
        assertTrue(before.totalCpuNanos() <= total && total <= after.totalCpuNanos() + 2 * TICK_NANOS,
                "total CPU: " + before.totalCpuNanos() + " <= " + total + " <= " + after.totalCpuNanos() + " + 2 ticks"
                        + what);
        assertEquals(before.disks().stream().map(DiskCounters::device).toList(),
                bulk.disks().stream().map(DiskCounters::device).toList(), "disks" + what);
        assertEquals(before.nics().stream().map(NicCounters::device).toList(),
                bulk.nics().stream().map(NicCounters::device).toList(), "NICs" + what);
        for (int i = 0; i < bulk.disks().size(); i++) {
            int d = i;
            ToLongFunction<VmMetrics> read = m -> m.disks().get(d).readBytes();
            between("disk read bytes", before, bulk, after, read, what);
            between("disk writes", before, bulk, after, m -> m.disks().get(d).writeRequests(), what);
            between("disk reads", before, bulk, after, m -> m.disks().get(d).readRequests(), what);
            between("disk written bytes", before, bulk, after, m -> m.disks().get(d).writeBytes(), what);
        }
        for (int i = 0; i < bulk.nics().size(); i++) {
            int n = i;
            between("received bytes", before, bulk, after, m -> m.nics().get(n).rxBytes(), what);
            between("sent bytes", before, bulk, after, m -> m.nics().get(n).txBytes(), what);
            between("received packets", before, bulk, after, m -> m.nics().get(n).rxPackets(), what);
            between("sent packets", before, bulk, after, m -> m.nics().get(n).txPackets(), what);
        }
        between("disk read total", before, bulk, after, VmMetrics::diskReadBytes, what);
        between("network receive total", before, bulk, after, VmMetrics::netRxBytes, what);
    }

    static List<String> devices(VmMetrics metrics) {
        return metrics.disks().stream().map(DiskCounters::device).toList();
    }

    private static void between(String counter, VmMetrics before, VmMetrics bulk, VmMetrics after,
            ToLongFunction<VmMetrics> value, String what) {
        long b = value.applyAsLong(before);
        long x = value.applyAsLong(bulk);
        long a = value.applyAsLong(after);
        assertTrue(b <= x && x <= a, counter + ": " + b + " <= " + x + " <= " + a + what);
    }
}
