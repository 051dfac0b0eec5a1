package io.quantix.scheduler;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The placement rules and the imbalance measure restated the plain way (whole-state scans, exact decimals), to check
 * the scheduler's fast arrays against.
 */
final class Oracle {
    /** A filter, as a user reads it in a refusal. */
    enum Why { UNREACHABLE, MAINTENANCE, BACKEND, LABELS, POOLS, NETWORKS, ANTI_AFFINITY, AFFINITY, CPU, MEMORY }

    private Oracle() {
    }

    static long limit(long value, double ratio) {
        return new BigDecimal(value).multiply(BigDecimal.valueOf(ratio)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** Every filter the node fails for the guest (not in the state, or placed elsewhere and about to leave). */
    static Set<Why> fails(ClusterState state, Guest g, Policy p, Node node) {
        Set<Why> why = EnumSet.noneOf(Why.class);
        if (!node.reachable()) {
            why.add(Why.UNREACHABLE);
        }
        if (node.maintenance()) {
            why.add(Why.MAINTENANCE);
        }
        if (!node.backends().contains(g.backend())) {
            why.add(Why.BACKEND);
        }
        if (!node.labels().containsAll(g.requiredLabels())) {
            why.add(Why.LABELS);
        }
        if (!node.pools().containsAll(g.pools())) {
            why.add(Why.POOLS);
        }
        if (!node.networks().containsAll(g.networks())) {
            why.add(Why.NETWORKS);
        }
        List<Guest> there = state.guestsOn(node.id());
        for (Guest other : there) {
            if (!other.name().equals(g.name()) && other.antiAffinityGroups().stream().anyMatch(g.antiAffinityGroups()::contains)) {
                why.add(Why.ANTI_AFFINITY);
            }
        }
        for (String group : g.affinityGroups()) {
            boolean elsewhere = state.guests().values().stream().flatMap(List::stream)
                    .anyMatch(o -> !o.name().equals(g.name()) && o.affinityGroups().contains(group));
            boolean here = there.stream().anyMatch(o -> !o.name().equals(g.name()) && o.affinityGroups().contains(group));
            if (elsewhere && !here) {
                why.add(Why.AFFINITY);
            }
        }
        if (node.usedCpus() + g.vcpus() > limit(node.cpus(), p.cpuOvercommit())) {
            why.add(Why.CPU);
        }
        if (node.usedMemoryBytes() + g.memoryBytes() > limit(node.memoryBytes(), p.memoryOvercommit())) {
            why.add(Why.MEMORY);
        }
        return why;
    }

    /** Weighted headroom left on the node once the guest is there. */
    static double score(Guest g, Policy p, Node node) {
        double cpu = (double) (limit(node.cpus(), p.cpuOvercommit()) - node.usedCpus() - g.vcpus())
                / limit(node.cpus(), p.cpuOvercommit());
        double mem = (double) (limit(node.memoryBytes(), p.memoryOvercommit()) - node.usedMemoryBytes() - g.memoryBytes())
                / limit(node.memoryBytes(), p.memoryOvercommit());
        double sum = p.cpuWeight() + p.memoryWeight();
        return (p.cpuWeight() * cpu + p.memoryWeight() * mem) / sum;
    }

    static Node node(ClusterState state, String id) {
        return state.nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    static String nodeOf(ClusterState state, String guest) {
        return state.guests().entrySet().stream().filter(e -> e.getValue().stream().anyMatch(g -> g.name().equals(guest)))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    static Guest guest(ClusterState state, String name) {
        return state.guests().values().stream().flatMap(List::stream).filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow();
    }

    /** Use per node (cores, bytes) as DRS measures it, which moves then shift guest by guest. */
    static Map<String, double[]> use(ClusterState state, DrsInput input) {
        Map<String, double[]> use = new HashMap<>();
        for (Node n : state.nodes()) {
            Usage u = input.nodeUsage().get(n.id());
            double[] v = u != null ? new double[] {u.cpuCores(), u.memoryBytes()} : new double[2];
            if (u == null) {
                for (Guest g : state.guestsOn(n.id())) {
                    Usage gu = guestUse(input, g);
                    v[0] += gu.cpuCores();
                    v[1] += gu.memoryBytes();
                }
            }
            use.put(n.id(), v);
        }
        return use;
    }

    static Usage guestUse(DrsInput input, Guest g) {
        return Objects.requireNonNullElse(input.guestUsage().get(g.name()), new Usage(g.vcpus(), g.memoryBytes()));
    }

    /** The weighted mean of the population standard deviations of the CPU and memory use ratios. */
    static double imbalance(ClusterState state, Map<String, double[]> use, Policy p) {
        List<Node> in = state.nodes().stream().filter(n -> n.reachable() && !n.maintenance()).toList();
        if (in.size() < 2) {
            return 0;
        }
        double cpu = deviation(in.stream().mapToDouble(n -> use.get(n.id())[0] / n.cpus()).toArray());
        double mem = deviation(in.stream().mapToDouble(n -> use.get(n.id())[1] / n.memoryBytes()).toArray());
        return (p.cpuWeight() * cpu + p.memoryWeight() * mem) / (p.cpuWeight() + p.memoryWeight());
    }

    private static double deviation(double[] values) {
        double mean = java.util.Arrays.stream(values).average().orElse(0);
        return Math.sqrt(java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElse(0));
    }
}
