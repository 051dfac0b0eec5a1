package io.quantix.scheduler.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.scheduler.Guest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Why no node takes a guest: how many nodes each filter excluded, as one line a person can act on. */
public final class Refusal {
    private Refusal() {
    }

    /** Counts the filter that excludes each node from a new guest and says so; call it only when none passes. */
    public static QuantixException of(Fit fit, Guest g) {
        int[] counts = new int[Filter.values().length];
        long mostCpu = Long.MIN_VALUE;
        long mostMemory = Long.MIN_VALUE;
        for (int i = 0; i < fit.size(); i++) {
            Filter f = fit.check(g, i, -1);
            if (f == null) {
                throw new QuantixException(ErrorCode.INTERNAL, "node " + fit.node(i).id() + " takes " + g.name() + ": no refusal");
            }
            counts[f.ordinal()]++;
            if (f == Filter.CPU) {
                mostCpu = Math.max(mostCpu, fit.cpuFree(i));
            } else if (f == Filter.MEMORY) {
                mostMemory = Math.max(mostMemory, fit.memoryFree(i));
            }
        }
        String head = "no node can run guest '" + g.name() + "': ";
        int nodes = fit.size();
        if (nodes == 0) {
            return new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, head + "the cluster has no nodes");
        }
        List<Filter> seen = new ArrayList<>();
        for (Filter f : Filter.values()) {
            if (counts[f.ordinal()] > 0) {
                seen.add(f);
            }
        }
        // the filter that excluded the most nodes first; equal counts in filter order
        seen.sort(Comparator.comparingInt((Filter f) -> -counts[f.ordinal()]).thenComparing(Enum::ordinal));
        StringBuilder line = new StringBuilder(head).append(nodes).append(nodes == 1 ? " node: " : " nodes: ");
        for (int k = 0; k < seen.size(); k++) {
            Filter f = seen.get(k);
            int c = counts[f.ordinal()];
            line.append(k == 0 ? "" : ", ").append(c).append(' ').append(phrase(f, c, g, mostCpu, mostMemory));
        }
        return new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, line.toString());
    }

    private static String phrase(Filter f, int count, Guest g, long mostCpu, long mostMemory) {
        String lack = count == 1 ? "lacks " : "lack ";
        String run = count == 1 ? "runs " : "run ";
        return switch (f) {
            case UNREACHABLE -> "unreachable";
            case MAINTENANCE -> "in maintenance";
            case BACKEND -> lack + "backend " + g.backend();
            case LABELS -> lack + plural("label", g.requiredLabels());
            case POOLS -> lack + plural("pool", g.pools());
            case NETWORKS -> lack + plural("network", g.networks());
            case ANTI_AFFINITY -> "already " + run + "a guest of anti-affinity " + plural("group", g.antiAffinityGroups());
            case AFFINITY -> run + "no guest of affinity " + plural("group", g.affinityGroups());
            case CPU -> lack + "vCPUs (need " + g.vcpus() + ", most free " + Math.max(0, mostCpu) + ")";
            case MEMORY -> lack + "memory (need " + Units.bytes(g.memoryBytes()) + ", most free "
                    + Units.bytes(mostMemory) + ")";
        };
    }

    private static String plural(String word, Set<String> values) {
        return word + (values.size() == 1 ? " " : "s ") + String.join(", ", new TreeSet<>(values));
    }
}
