package io.quantix.scheduler;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster at one moment: its nodes and the guests placed on each. Each node id appears once, each guest name once
 * in the cluster, and a node's {@link Node#usedCpus()} and {@link Node#usedMemoryBytes()} cover its guests.
 *
 * <p>A value, but a class rather than a record: it keeps indexes derived from the guests (where each runs, how many
 * of each group's guests each node runs), built once, so that a placement looks at the nodes and not at every guest.
 */
public final class ClusterState {
    private final List<Node> nodes;
    private final Map<String, List<Guest>> guests;
    private final Map<String, Integer> nodeIndex = new HashMap<>();
    private final Map<String, String> nodeOfGuest = new HashMap<>();
    private final Map<String, Map<String, Integer>> antiAffinity = new HashMap<>();
    private final Map<String, Map<String, Integer>> affinity = new HashMap<>();

    /**
     * @param nodes every node
     * @param guests the guests on each node, by node id; a node without guests may be missing
     */
    public ClusterState(List<Node> nodes, Map<String, List<Guest>> guests) {
        this.nodes = Validation.list("nodes", nodes);
        Validation.required("guests", guests);
        for (int i = 0; i < this.nodes.size(); i++) {
            if (nodeIndex.put(this.nodes.get(i).id(), i) != null) {
                throw QuantixException.invalid("node id '" + this.nodes.get(i).id() + "' appears twice in the cluster state");
            }
        }
        Map<String, List<Guest>> copy = new HashMap<>();
        for (Map.Entry<String, List<Guest>> e : guests.entrySet()) {
            Integer i = nodeIndex.get(e.getKey());
            if (i == null) {
                throw QuantixException.invalid("guests are placed on node '" + e.getKey() + "', which is not in the cluster state");
            }
            Node node = this.nodes.get(i);
            List<Guest> list = Validation.list("guests of node " + node.name(), e.getValue());
            long cpus = 0;
            long memory = 0;
            for (Guest g : list) {
                if (nodeOfGuest.put(g.name(), node.id()) != null) {
                    throw QuantixException.invalid("guest '" + g.name() + "' is placed twice in the cluster state");
                }
                cpus += g.vcpus();
                memory += g.memoryBytes();
                g.antiAffinityGroups().forEach(group -> antiAffinity.computeIfAbsent(group, k -> new HashMap<>())
                        .merge(node.id(), 1, Integer::sum));
                g.affinityGroups().forEach(group -> affinity.computeIfAbsent(group, k -> new HashMap<>())
                        .merge(node.id(), 1, Integer::sum));
            }
            if (node.usedCpus() < cpus || node.usedMemoryBytes() < memory) {
                throw QuantixException.invalid("node " + node.name() + " reports " + node.usedCpus() + " vCPUs and "
                        + node.usedMemoryBytes() + " bytes allocated, less than its guests' " + cpus + " and " + memory);
            }
            copy.put(e.getKey(), list);
        }
        this.guests = Map.copyOf(copy);
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The guests on each node, by node id. */
    public Map<String, List<Guest>> guests() {
        return guests;
    }

    /** Where the node is in {@link #nodes()}, or -1. */
    public int indexOf(String nodeId) {
        return nodeIndex.getOrDefault(nodeId, -1);
    }

    /** The id of the node the guest runs on. */
    public Optional<String> nodeOf(String guestName) {
        return Optional.ofNullable(nodeOfGuest.get(guestName));
    }

    /** For each anti-affinity group: how many of its guests each node runs, by node id (none: no entry). */
    public Map<String, Map<String, Integer>> antiAffinityGroups() {
        return java.util.Collections.unmodifiableMap(antiAffinity);
    }

    /** For each affinity group: how many of its guests each node runs, by node id (none: no entry). */
    public Map<String, Map<String, Integer>> affinityGroups() {
        return java.util.Collections.unmodifiableMap(affinity);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterState other && nodes.equals(other.nodes) && guests.equals(other.guests);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, guests);
    }

    @Override
    public String toString() {
        return "ClusterState[nodes=" + nodes + ", guests=" + guests + "]";
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
        String from = nodeOf(guestName).orElseThrow(() -> QuantixException.notFound("guest", guestName));
        Guest g = guestsOn(from).stream().filter(x -> x.name().equals(guestName)).findFirst().orElseThrow();
        return changed(Map.of(from, List.of(g)), Map.of(nodeId, List.of(g)));
    }

    /** This state with guests taken off and put on nodes (by node id), allocations following them; one copy. */
    ClusterState changed(Map<String, List<Guest>> removed, Map<String, List<Guest>> added) {
        for (String id : added.keySet()) {
            if (indexOf(id) < 0) {
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
