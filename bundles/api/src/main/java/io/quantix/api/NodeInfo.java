package io.quantix.api;

import java.util.List;

/**
 * The node itself.
 *
 * @param id the node's UUID: made once, on the node's first start, and never changed; the cluster knows it by this
 * @param name the node's name: the hostname unless an admin chose another (the setup wizard); unique in a cluster
 * @param hostname the kernel's host name
 * @param simulated true while the hypervisor is libvirt's test driver: VMs are not real guests
 */
public record NodeInfo(String id, String name, String hostname, String version, int cpus, long memoryBytes, boolean simulated,
        List<BackendInfo> backends) {
    public NodeInfo {
        Validation.required("node id", id);
        Validation.required("node name", name);
        backends = Validation.list("backends", backends);
    }
}
