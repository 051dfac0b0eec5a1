package io.quantix.metrics.internal;

import io.quantix.api.BackendKind;
import io.quantix.api.StoragePool;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one round of the sampler saw: scrapes and the history read this, never the backends, so a scrape costs the
 * same whatever the number of VMs behind it and nothing on libvirt.
 *
 * @param cpuRatio the node's CPU busy share since the previous sample, 0..1; NaN on the first
 * @param metrics by VM name, for the VMs whose backend answered
 * @param backends every backend a VM or pool names or that is installed: whether it is bound now
 */
record Sample(Instant at, String node, int cpus, double cpuRatio, long memoryTotalBytes, long memoryUsedBytes,
        List<Vm> vms, Map<String, VmMetrics> metrics, List<StoragePool> pools, Map<Backend, Boolean> backends,
        long tookNanos) {

    record Backend(BackendKind kind, String name) {
    }

    static Sample empty(String node) {
        return new Sample(Instant.EPOCH, node, 0, Double.NaN, 0, 0, List.of(), Map.of(), List.of(), Map.of(), 0);
    }
}
