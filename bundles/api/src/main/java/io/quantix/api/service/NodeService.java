package io.quantix.api.service;

import io.quantix.api.BackendInfo;
import io.quantix.api.InventoryStats;
import io.quantix.api.NodeInfo;
import java.util.List;

/** The node and its installed backends. */
public interface NodeService {

    NodeInfo info();

    /**
     * Renames the node ({@code name} in {@code <config>/node.yaml}; the id never changes). The name is a host name
     * ({@link io.quantix.api.Validation#hostname}); INVALID_ARGUMENT otherwise, and nothing is changed. Only the
     * node's record: the host's own host name is the operating system's (Quantix-OS sets it from this at boot).
     */
    void rename(String name);

    List<BackendInfo> backends();

    /** Names of VMs found on this node's hypervisors that Quantix does not manage (and never touches), sorted. */
    List<String> unmanagedDomains();

    /** How the in-memory VM inventory is doing: its size, its resyncs and what they repaired. */
    InventoryStats inventoryStats();
}
