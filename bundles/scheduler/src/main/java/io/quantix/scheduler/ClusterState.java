package io.quantix.scheduler;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster at one moment: its nodes and the guests placed on each.
 *
 * @param nodes every node, each id once
 * @param guests the guests on each node, by node id; a node without guests may be missing. Each guest name appears
 *        once in the cluster, and a node's {@link Node#usedCpus()} and {@link Node#usedMemoryBytes()} cover its guests.
 */
public record ClusterState(List<Node> nodes, Map<String, List<Guest>> guests) {
    public ClusterState {
        nodes = Validation.list("nodes", nodes);
        Validation.required("guests", guests);
        Map<String, Node> byId = new HashMap<>();
        for (Node node : nodes) {
            if (byId.put(node.id(), node) != null) {
                throw QuantixException.invalid("node id '" + node.id() + "' appears twice in the cluster state");
            }
        }
        Map<String, List<Guest>> copy = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, List<Guest>> e : guests.entrySet()) {
            Node node = byId.get(e.getKey());
            if (node == null) {
                throw QuantixException.invalid("guests are placed on node '" + e.getKey() + "', which is not in the cluster state");
            }
            List<Guest> list = Validation.list("guests of node " + node.name(), e.getValue());
            long cpus = 0;
            long memory = 0;
            for (Guest g : list) {
                if (!names.add(g.name())) {
                    throw QuantixException.invalid("guest '" + g.name() + "' is placed twice in the cluster state");
                }
                cpus += g.vcpus();
                memory += g.memoryBytes();
            }
            if (node.usedCpus() < cpus || node.usedMemoryBytes() < memory) {
                throw QuantixException.invalid("node " + node.name() + " reports " + node.usedCpus() + " vCPUs and "
                        + node.usedMemoryBytes() + " bytes allocated, less than its guests' " + cpus + " and " + memory);
            }
            copy.put(e.getKey(), list);
        }
        guests = Map.copyOf(copy);
    }

    /** The guests on a node; empty for a node without guests or not in the state. */
    public List<Guest> guestsOn(String nodeId) {
        return guests.getOrDefault(nodeId, List.of());
    }

    /**
     * This state with the guest placed on the node (its vCPUs and memory allocated there), as it is: no filter is
     * applied, this is the state after a placement the {@link Scheduler} chose or a migration that happened.
     */
    public ClusterState placed(Guest guest, String nodeId) {
        return changed(Map.of(), Map.of(nodeId, List.of(guest)));
    }

    /** This state with the guest moved to the node (its allocation leaves its old node with it). */
    public ClusterState moved(String guestName, String nodeId) {
        for (Map.Entry<String, List<Guest>> e : guests.entrySet()) {
            for (Guest g : e.getValue()) {
                if (g.name().equals(guestName)) {
                    return changed(Map.of(e.getKey(), List.of(g)), Map.of(nodeId, List.of(g)));
                }
            }
        }
        throw QuantixException.notFound("guest", guestName);
    }

    /** This state with guests taken off and put on nodes (by node id), allocations following them; one copy. */
    ClusterState changed(Map<String, List<Guest>> removed, Map<String, List<Guest>> added) {
        Map<String, Node> byId = new HashMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        for (String id : added.keySet()) {
            if (!byId.containsKey(id)) {
                throw QuantixException.notFound("node", id);
            }
        }
        Map<String, List<Guest>> newGuests = new HashMap<>(guests);
        removed.forEach((id, list) -> {
            List<Guest> left = new ArrayList<>(newGuests.getOrDefault(id, List.of()));
            left.removeAll(list);
            newGuests.put(id, left);
        });
        added.forEach((id, list) -> {
            List<Guest> arrived = new ArrayList<>(newGuests.getOrDefault(id, List.of()));
            arrived.addAll(list);
            newGuests.put(id, arrived);
        });
        List<Node> newNodes = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            int cpus = 0;
            long memory = 0;
            for (Guest g : added.getOrDefault(n.id(), List.of())) {
                cpus += g.vcpus();
                memory += g.memoryBytes();
            }
            for (Guest g : removed.getOrDefault(n.id(), List.of())) {
                cpus -= g.vcpus();
                memory -= g.memoryBytes();
            }
            newNodes.add(cpus == 0 && memory == 0 ? n : n.withAllocated(cpus, memory));
        }
        return new ClusterState(newNodes, newGuests);
    }
}
