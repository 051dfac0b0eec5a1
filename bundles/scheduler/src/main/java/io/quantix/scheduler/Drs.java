package io.quantix.scheduler;

import io.quantix.api.Validation;
import io.quantix.scheduler.internal.Balance;
import io.quantix.scheduler.internal.Fit;
import io.quantix.scheduler.internal.Units;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Distributed resource scheduling: live migrations that even out the nodes' load.
 *
 * <p>The imbalance is the weighted mean (the placement policy's CPU and memory weights) of two population standard
 * deviations over the reachable nodes out of maintenance: of the CPU use ratio (cores in use per physical CPU) and
 * of the memory use ratio (memory in use per byte). Use is measured ({@link DrsInput}), not allocated.
 *
 * <p>The plan is greedy: it relieves the most loaded node first. Each step takes the nodes loaded above the mean,
 * most loaded first, and takes the move off the first of them that lowers the imbalance the most (by more than
 * {@link #MIN_GAIN}); the target passes every placement filter ({@link Scheduler}) with the plan's earlier moves
 * counted. A guest moves at most once a plan and not at all within the window after its last
 * migration; a node that gives a guest in a plan takes none in it and the other way round, so no load goes back and
 * forth. The plan stops at the policy's move limit or when no move gains. It is proposed only when its moves
 * together lower the imbalance by more than the policy's threshold; otherwise it has no move (migrations cost more
 * than such a gain). Every move lowers the imbalance, so a plan never raises it.
 */
public final class Drs {
    /** The least gain of one move: less is rounding, not balance. */
    public static final double MIN_GAIN = 1e-9;

    private Drs() {
    }

    /** The imbalance of the cluster as it is. */
    public static double imbalance(ClusterState state, DrsInput input, Policy policy) {
        return new Balance(Validation.required("state", state), Validation.required("input", input),
                Validation.required("policy", policy)).imbalance();
    }

    public static DrsPlan plan(ClusterState state, DrsInput input, DrsPolicy policy) {
        Validation.required("state", state);
        Validation.required("input", input);
        Validation.required("policy", policy);
        Balance balance = new Balance(state, input, policy.placement());
        double before = balance.imbalance();
        if (policy.mode() == DrsMode.OFF) {
            return new DrsPlan(policy.mode(), before, before, List.of(), "DRS is off; the imbalance is " + Units.ratio(before));
        }
        Planner planner = new Planner(state, input, policy, balance);
        List<Move> moves = new ArrayList<>();
        while (moves.size() < policy.maxMoves()) {
            Move move = planner.next();
            if (move == null) {
                break;
            }
            moves.add(move);
        }
        double after = balance.imbalance();
        String range = "the imbalance from " + Units.ratio(before) + " to " + Units.ratio(after);
        if (moves.isEmpty()) {
            return new DrsPlan(policy.mode(), before, before, moves, "no move lowers the imbalance of "
                    + Units.ratio(before) + " within the filters, the window and the nodes that can take part");
        }
        if (before - after <= policy.threshold()) {
            return new DrsPlan(policy.mode(), before, before, List.of(), "no plan: the best " + moves.size()
                    + (moves.size() == 1 ? " move lowers " : " moves lower ") + range + ", not more than the threshold "
                    + policy.threshold());
        }
        return new DrsPlan(policy.mode(), before, after, moves,
                moves.size() + (moves.size() == 1 ? " move lowers " : " moves lower ") + range);
    }

    /** A plan in the making: the cluster as the moves so far leave it. */
    private static final class Planner {
        private final Fit fit;
        private final Balance balance;
        private final DrsInput input;
        /** A guest that last moved after this stays put. */
        private final Instant settled;
        /** Each node's guests in name order; the nodes taking part in id order: ties fall the same whatever the input order. */
        private final List<List<Guest>> guests;
        private final int[] nodes;
        private final boolean[] gave;
        private final boolean[] took;
        private final Set<String> moved = new HashSet<>();

        Planner(ClusterState state, DrsInput input, DrsPolicy policy, Balance balance) {
            this.fit = new Fit(state, policy.placement(), null);
            this.balance = balance;
            this.input = input;
            this.settled = input.now().minus(policy.window());
            int n = fit.size();
            guests = new ArrayList<>(n);
            List<Integer> in = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Guest> list = new ArrayList<>(state.guestsOn(fit.node(i).id()));
                list.sort(Comparator.comparing(Guest::name));
                guests.add(list);
                if (balance.takesPart(i)) {
                    in.add(i);
                }
            }
            in.sort(Comparator.comparing(i -> fit.node(i).id()));
            nodes = in.stream().mapToInt(Integer::intValue).toArray();
            gave = new boolean[n];
            took = new boolean[n];
        }

        /** Finds and makes the next move, or answers null when none gains. */
        Move next() {
            double mean = balance.meanLoad();
            List<Integer> sources = new ArrayList<>();
            for (int s : nodes) {
                if (!took[s] && balance.load(s) > mean) {
                    sources.add(s);
                }
            }
            sources.sort(Comparator.comparingDouble((Integer s) -> -balance.load(s)).thenComparing(s -> fit.node(s).id()));
            double now = balance.imbalance();
            for (int s : sources) {
                Guest bestGuest = null;
                int bestTarget = -1;
                double best = now - MIN_GAIN;
                for (Guest g : guests.get(s)) {
                    Instant last = input.lastMoves().get(g.name());
                    if (moved.contains(g.name()) || (last != null && last.isAfter(settled))) {
                        continue;
                    }
                    Usage u = Balance.usage(input, g);
                    for (int t : nodes) {
                        if (t == s || gave[t]) {
                            continue;
                        }
                        // the arithmetic first: the filters only for a move that would be the best so far
                        double after = balance.imbalanceIf(s, t, u);
                        if (after < best && fit.check(g, t, s) == null) {
                            best = after;
                            bestGuest = g;
                            bestTarget = t;
                        }
                    }
                }
                if (bestGuest != null) {
                    return make(s, bestTarget, bestGuest, now);
                }
            }
            return null;
        }

        private Move make(int s, int t, Guest g, double before) {
            Usage u = Balance.usage(input, g);
            String why = fit.node(s).name() + " is loaded above the mean (CPU " + Units.percent(balance.cpuRatio(s))
                    + ", memory " + Units.percent(balance.memoryRatio(s)) + "; mean " + Units.percent(balance.meanCpuRatio())
                    + ", " + Units.percent(balance.meanMemoryRatio()) + "): moving " + g.name() + " (using "
                    + String.format(Locale.ROOT, "%.2f", u.cpuCores()) + " cores, " + Units.bytes(u.memoryBytes())
                    + ") to " + fit.node(t).name() + " (CPU " + Units.percent(balance.cpuRatio(t)) + ", memory "
                    + Units.percent(balance.memoryRatio(t)) + ")";
            fit.move(g, s, t);
            balance.move(s, t, u);
            gave[s] = true;
            took[t] = true;
            moved.add(g.name());
            double after = balance.imbalance();
            return new Move(g.name(), fit.node(s).id(), fit.node(t).id(), before, after,
                    why + " lowers the imbalance from " + Units.ratio(before) + " to " + Units.ratio(after));
        }
    }
}
