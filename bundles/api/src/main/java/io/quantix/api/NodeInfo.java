package io.quantix.api;

import java.util.List;

/**
 * The node itself.
 *
 * @param simulated true while the hypervisor is libvirt's test driver: VMs are not real guests
 */
public record NodeInfo(String hostname, String version, int cpus, long memoryBytes, boolean simulated,
        List<BackendInfo> backends) {
    public NodeInfo {
        backends = Validation.list("backends", backends);
    }
}
