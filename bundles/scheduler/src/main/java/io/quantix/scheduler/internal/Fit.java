package io.quantix.scheduler.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.scheduler.ClusterState;
import io.quantix.scheduler.Guest;
import io.quantix.scheduler.Node;
import io.quantix.scheduler.Policy;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The filters and weights over one cluster state, with what is free on each node precomputed (and kept up to date
 * as guests are added, removed or moved) so a placement over many nodes is a loop over arrays. Nodes are known by
 * their index in {@link ClusterState#nodes()}.
 */
public final class Fit {
    private final List<Node> nodes;
    private final int n;
    private final long[] cpuLimit;
    private final long[] memLimit;
    private final long[] cpuFree;
    private final long[] memFree;
    private final double cpuWeight;
    private final double memoryWeight;
    /** Per group: how many of its guests each node runs, the total at [n]. */
    private final Map<String, int[]> anti = new HashMap<>();
    private final Map<String, int[]> affinity = new HashMap<>();

    /**
     * @param newGuests guests about to be placed: none may be in the state already, and only their groups are counted
     *        (enough to place them); null counts every group, for moving the placed guests around
     */
    public Fit(ClusterState state, Policy policy, Collection<Guest> newGuests) {
        nodes = state.nodes();
        n = nodes.size();
        cpuLimit = new long[n];
        memLimit = new long[n];
        cpuFree = new long[n];
        memFree = new long[n];
        double wsum = policy.cpuWeight() + policy.memoryWeight();
        cpuWeight = policy.cpuWeight() / wsum;
        memoryWeight = policy.memoryWeight() / wsum;
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            cpuLimit[i] = limit(node.cpus(), policy.cpuOvercommit());
            memLimit[i] = limit(node.memoryBytes(), policy.memoryOvercommit());
            cpuFree[i] = cpuLimit[i] - node.usedCpus();
            memFree[i] = memLimit[i] - node.usedMemoryBytes();
        }
        if (newGuests == null) {
            state.antiAffinityGroups().forEach((group, byNode) -> anti.put(group, counts(state, byNode)));
            state.affinityGroups().forEach((group, byNode) -> affinity.put(group, counts(state, byNode)));
            return;
        }
        // only the new guests' groups, from the state's index: a placement does not look at every placed guest
        Set<String> tracked = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Guest g : newGuests) {
            if (!names.add(g.name())) {
                throw QuantixException.invalid("guest '" + g.name() + "' is to be placed twice");
            }
            Optional<String> placed = state.nodeOf(g.name());
            if (placed.isPresent()) {
                throw new QuantixException(ErrorCode.ALREADY_EXISTS, "guest '" + g.name() + "' is placed already, on node "
                        + nodes.get(state.indexOf(placed.get())).name());
            }
            tracked.addAll(g.affinityGroups());
            tracked.addAll(g.antiAffinityGroups());
        }
        for (String group : tracked) {
            anti.put(group, counts(state, state.antiAffinityGroups().getOrDefault(group, Map.of())));
            affinity.put(group, counts(state, state.affinityGroups().getOrDefault(group, Map.of())));
        }
    }

    private int[] counts(ClusterState state, Map<String, Integer> byNode) {
        int[] c = new int[n + 1];
        byNode.forEach((id, count) -> {
            c[state.indexOf(id)] = count;
            c[n] += count;
        });
        return c;
    }

    /**
     * What a node may allocate: {@code floor(value * ratio)}, exact for the ratio as written (a multiple of 0.01), in
     * whole hundredths so that 10 CPUs at 0.3 allow 3 vCPUs, where doubles would say 2.9999999999999996.
     */
    static long limit(long value, double ratio) {
        long hundredths = Math.round(ratio * 100);
        return value / 100 * hundredths + value % 100 * hundredths / 100;
    }

    public int size() {
        return n;
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    /** vCPUs the node can still allocate under the overcommit ratio; negative when it is over already. */
    public long cpuFree(int i) {
        return cpuFree[i];
    }

    public long memoryFree(int i) {
        return memFree[i];
    }

    /**
     * The first filter node {@code i} fails for the guest, or null when it passes them all.
     *
     * @param from the node the guest runs on now, never {@code i} (it does not count against its own groups), or -1
     *        for a new guest
     */
    public Filter check(Guest g, int i, int from) {
        Node node = nodes.get(i);
        if (!node.reachable()) {
            return Filter.UNREACHABLE;
        }
        if (node.maintenance()) {
            return Filter.MAINTENANCE;
        }
        if (!node.backends().contains(g.backend())) {
            return Filter.BACKEND;
        }
        if (!node.labels().containsAll(g.requiredLabels())) {
            return Filter.LABELS;
        }
        if (!node.pools().containsAll(g.pools())) {
            return Filter.POOLS;
        }
        if (!node.networks().containsAll(g.networks())) {
            return Filter.NETWORKS;
        }
        for (String group : g.antiAffinityGroups()) {
            int[] c = anti.get(group);
            if (c != null && c[i] > 0) {
                return Filter.ANTI_AFFINITY;
            }
        }
        for (String group : g.affinityGroups()) {
            int[] c = affinity.get(group);
            int others = c == null ? 0 : c[n] - (from >= 0 ? 1 : 0);
            if (others > 0 && c[i] == 0) {
                return Filter.AFFINITY;
            }
        }
        if (cpuFree[i] < g.vcpus()) {
            return Filter.CPU;
        }
        if (memFree[i] < g.memoryBytes()) {
            return Filter.MEMORY;
        }
        return null;
    }

    /** The node's weighted headroom once the guest is on it: 1 is empty, 0 is full. */
    public double score(Guest g, int i) {
        // a guest fits only where the limit is at least its size, so neither divisor is 0
        double cpu = (double) (cpuFree[i] - g.vcpus()) / cpuLimit[i];
        double memory = (double) (memFree[i] - g.memoryBytes()) / memLimit[i];
        return cpuWeight * cpu + memoryWeight * memory;
    }

    /** A score in whole billionths: two nodes a rounding error apart score the same, and the lower id wins. */
    public static long quantized(double score) {
        return Math.round(score * 1e9);
    }

    /** Allocates the guest on node {@code to}, releasing it from {@code from} unless that is -1. */
    public void move(Guest g, int from, int to) {
        if (from >= 0) {
            cpuFree[from] += g.vcpus();
            memFree[from] += g.memoryBytes();
            count(g, from, -1);
        }
        cpuFree[to] -= g.vcpus();
        memFree[to] -= g.memoryBytes();
        count(g, to, 1);
    }

    private void count(Guest g, int i, int delta) {
        count(anti, g.antiAffinityGroups(), i, delta);
        count(affinity, g.affinityGroups(), i, delta);
    }

    private void count(Map<String, int[]> counts, Set<String> groups, int i, int delta) {
        for (String group : groups) {
            // every group of a guest that moves is counted: all of them, or those of the guests to place
            int[] c = counts.computeIfAbsent(group, k -> new int[n + 1]);
            c[i] += delta;
            c[n] += delta;
        }
    }
}
