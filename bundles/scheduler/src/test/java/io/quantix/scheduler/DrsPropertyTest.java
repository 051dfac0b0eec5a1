package io.quantix.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;

/** DRS plans, each move replayed on the state against {@link Oracle}'s filters and imbalance. */
class DrsPropertyTest {

    @Provide
    Arbitrary<Tuple2<ClusterState, DrsInput>> clusters() {
        return Clusters.states(12).flatMap(s -> Clusters.inputs(s).map(in -> Tuple.of(s, in)));
    }

    @Provide
    Arbitrary<DrsPolicy> policies() {
        return Combinators.combine(net.jqwik.api.Arbitraries.of(DrsMode.values()),
                net.jqwik.api.Arbitraries.of(0.0, 0.001, 0.01, 0.05),
                net.jqwik.api.Arbitraries.integers().between(1, 12),
                net.jqwik.api.Arbitraries.of(Duration.ZERO, Duration.ofMinutes(30), Duration.ofHours(2)),
                Clusters.policies()).as(DrsPolicy::new);
    }

    /**
     * Every move: a guest not moved in the window nor earlier in the plan, off a node that takes none in the plan, onto
     * one that gives none and passes every filter with the earlier moves done, lowering the imbalance (measured the
     * plain way). Together they lower it by more than the threshold, at most the limit of moves; none when DRS is off.
     */
    @Property(tries = 200)
    void movesObeyTheFiltersTheWindowAndOnlyLowerTheImbalance(@ForAll("clusters") Tuple2<ClusterState, DrsInput> cluster,
            @ForAll("policies") DrsPolicy policy) {
        ClusterState state = cluster.get1();
        DrsInput input = cluster.get2();
        DrsPlan plan = Drs.plan(state, input, policy);
        Statistics.label("moves").collect(policy.mode() == DrsMode.OFF ? "off" : plan.moves().isEmpty() ? "none" : "some");
        Statistics.label("moves").coverage(c -> c.check("some").percentage(p -> p >= 15));
        Map<String, double[]> use = Oracle.use(state, input);
        double start = Oracle.imbalance(state, use, policy.placement());
        assertEquals(start, plan.imbalanceBefore(), 1e-9);
        assertEquals(policy.mode(), plan.mode());
        if (policy.mode() == DrsMode.OFF) {
            assertEquals(0, plan.moves().size());
        }
        assertTrue(plan.moves().size() <= policy.maxMoves());
        Set<String> moved = new HashSet<>();
        Set<String> gave = new HashSet<>();
        Set<String> took = new HashSet<>();
        double now = start;
        for (Move m : plan.moves()) {
            Guest g = Oracle.guest(state, m.guest());
            assertEquals(Oracle.nodeOf(state, m.guest()), m.from(), m.toString());
            assertTrue(moved.add(m.guest()), m.guest() + " moved twice in one plan");
            Instant last = input.lastMoves().get(m.guest());
            assertTrue(last == null || !last.isAfter(input.now().minus(policy.window())),
                    m.guest() + " moved at " + last + ", within the window " + policy.window());
            gave.add(m.from());
            took.add(m.to());
            assertTrue(!took.contains(m.from()) && !gave.contains(m.to()), "a node both gives and takes: " + m);
            Node target = Oracle.node(state, m.to());
            Node source = Oracle.node(state, m.from());
            assertTrue(source.reachable() && !source.maintenance(), m.toString());
            assertEquals(Set.of(), Oracle.fails(state, g, policy.placement(), target), m.toString());
            Usage u = Oracle.guestUse(input, g);
            use.get(m.from())[0] -= u.cpuCores();
            use.get(m.from())[1] -= u.memoryBytes();
            use.get(m.to())[0] += u.cpuCores();
            use.get(m.to())[1] += u.memoryBytes();
            state = state.moved(m.guest(), m.to());
            double after = Oracle.imbalance(state, use, policy.placement());
            assertEquals(now, m.imbalanceBefore(), 1e-9, m.toString());
            assertEquals(after, m.imbalanceAfter(), 1e-9, m.toString());
            assertTrue(now - after > 0, "gain " + (now - after) + ": " + m);
            assertTrue(m.reason().contains(m.guest()) && m.reason().contains(target.name()), m.reason());
            now = after;
        }
        assertEquals(now, plan.imbalanceAfter(), 1e-9);
        assertTrue(plan.imbalanceAfter() <= plan.imbalanceBefore());
        if (!plan.moves().isEmpty()) {
            assertTrue(start - now > policy.threshold(), "the plan gains " + (start - now) + ", not above " + policy.threshold());
        }
    }

    /** The same input in another node order gives the same plan. */
    @Property(tries = 100)
    void thePlanDoesNotDependOnTheNodeOrder(@ForAll("clusters") Tuple2<ClusterState, DrsInput> cluster,
            @ForAll("policies") DrsPolicy policy) {
        ClusterState state = cluster.get1();
        java.util.List<Node> reversed = new java.util.ArrayList<>(state.nodes());
        java.util.Collections.reverse(reversed);
        DrsPlan a = Drs.plan(state, cluster.get2(), policy);
        DrsPlan b = Drs.plan(new ClusterState(reversed, state.guests()), cluster.get2(), policy);
        assertEquals(a.moves().stream().map(m -> m.guest() + ">" + m.to()).toList(),
                b.moves().stream().map(m -> m.guest() + ">" + m.to()).toList());
    }
}
