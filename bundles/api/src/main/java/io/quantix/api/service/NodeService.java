package io.quantix.api.service;

import io.quantix.api.BackendInfo;
import io.quantix.api.InventoryStats;
import io.quantix.api.NodeInfo;
import java.util.List;

/** The node and its installed backends. */
public interface NodeService {

    NodeInfo info();

    List<BackendInfo> backends();

    /** Names of VMs found on this node's hypervisors that Quantix does not manage (and never touches), sorted. */
    List<String> unmanagedDomains();

    /** How the in-memory VM inventory is doing: its size, its resyncs and what they repaired. */
    InventoryStats inventoryStats();
}
