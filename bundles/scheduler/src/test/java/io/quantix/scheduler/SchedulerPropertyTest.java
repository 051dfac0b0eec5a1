package io.quantix.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.scheduler.Oracle.Why;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Placement against the plain restatement of its rules in {@link Oracle}, over generated clusters. */
class SchedulerPropertyTest {

    @Provide
    Arbitrary<ClusterState> states() {
        return Clusters.states(12);
    }

    @Provide
    Arbitrary<Function<String, Guest>> guests() {
        return Clusters.guest();
    }

    @Provide
    Arbitrary<Policy> policies() {
        return Clusters.policies();
    }

    @Provide
    Arbitrary<List<Function<String, Guest>>> batches() {
        return Clusters.guest().list().ofMinSize(1).ofMaxSize(30);
    }

    /**
     * The chosen node passes every filter (so it is not over capacity with the ratios) and has the best score of those
     * that do, the lowest id among equals; and when a node passes, the scheduler does not refuse.
     */
    @Property
    void placesOnlyWhereEveryFilterPassesAndPicksTheBest(@ForAll("states") ClusterState state,
            @ForAll("guests") Function<String, Guest> draft, @ForAll("policies") Policy policy) {
        Guest g = draft.apply("new");
        List<Node> passing = state.nodes().stream().filter(n -> Oracle.fails(state, g, policy, n).isEmpty()).toList();
        // the generators must give both outcomes often, or the property says little
        Statistics.label("outcome").collect(passing.isEmpty() ? "refused" : "placed");
        Statistics.label("outcome").coverage(c -> {
            c.check("refused").percentage(p -> p >= 10);
            c.check("placed").percentage(p -> p >= 10);
        });
        Node chosen;
        try {
            chosen = Scheduler.place(state, g, policy);
        } catch (QuantixException e) {
            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.code(), e.getMessage());
            assertTrue(passing.isEmpty(), "refused although " + passing.size() + " nodes pass: " + e.getMessage());
            return;
        }
        assertEquals(Set.of(), Oracle.fails(state, g, policy, chosen), "filters failed by the chosen " + chosen.id());
        assertTrue(chosen.usedCpus() + g.vcpus() <= Oracle.limit(chosen.cpus(), policy.cpuOvercommit()));
        assertTrue(chosen.usedMemoryBytes() + g.memoryBytes() <= Oracle.limit(chosen.memoryBytes(), policy.memoryOvercommit()));
        // scores compare in billionths, so a rounding error never decides
        long score = Math.round(Oracle.score(g, policy, chosen) * 1e9);
        for (Node other : passing) {
            long s = Math.round(Oracle.score(g, policy, other) * 1e9);
            boolean better = policy.strategy() == Strategy.SPREAD ? s > score : s < score;
            assertTrue(!better, other.id() + " scores " + s + ", better than the chosen " + chosen.id() + " at " + score);
            if (s == score && !other.id().equals(chosen.id())) {
                assertTrue(chosen.id().compareTo(other.id()) < 0, "tie not broken by id: " + chosen.id() + " over " + other.id());
            }
        }
    }

    /** The order of the nodes in the state does not change the answer. */
    @Property
    void theAnswerDoesNotDependOnTheNodeOrder(@ForAll("states") ClusterState state,
            @ForAll("guests") Function<String, Guest> draft, @ForAll("policies") Policy policy, @ForAll long seed) {
        Guest g = draft.apply("new");
        List<Node> shuffled = new ArrayList<>(state.nodes());
        Collections.shuffle(shuffled, new Random(seed));
        ClusterState other = new ClusterState(shuffled, state.guests());
        assertEquals(answer(state, g, policy), answer(other, g, policy));
    }

    private static String answer(ClusterState state, Guest g, Policy policy) {
        try {
            return Scheduler.place(state, g, policy).id();
        } catch (QuantixException e) {
            return e.toString();
        }
    }

    /**
     * A refusal counts every node once, under the first filter it fails, and names each filter with its count:
     * "no node can run guest 'new': 3 nodes: 2 lack memory (need 8 GiB, most free 6 GiB), 1 in maintenance".
     */
    @Property
    void aRefusalNamesTheFiltersAndHowManyNodesEachExcluded(@ForAll("states") ClusterState state,
            @ForAll("guests") Function<String, Guest> draft, @ForAll("policies") Policy policy) {
        Guest g = draft.apply("new");
        QuantixException e;
        try {
            Scheduler.place(state, g, policy);
            return;
        } catch (QuantixException refused) {
            e = refused;
        }
        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.code());
        String m = e.getMessage();
        if (state.nodes().isEmpty()) {
            assertEquals("no node can run guest 'new': the cluster has no nodes", m);
            return;
        }
        Map<Why, Integer> first = new EnumMap<>(Why.class);
        for (Node n : state.nodes()) {
            Set<Why> fails = Oracle.fails(state, g, policy, n);
            first.merge(fails.iterator().next(), 1, Integer::sum);
        }
        int total = state.nodes().size();
        assertTrue(m.startsWith("no node can run guest 'new': " + total + (total == 1 ? " node: " : " nodes: ")), m);
        int named = 0;
        for (Map.Entry<Why, Integer> f : first.entrySet()) {
            int c = f.getValue();
            String lack = c == 1 ? " lacks " : " lack ";
            String run = c == 1 ? " runs " : " run ";
            String expected = switch (f.getKey()) {
                case UNREACHABLE -> c + " unreachable";
                case MAINTENANCE -> c + " in maintenance";
                case BACKEND -> c + lack + "backend " + g.backend();
                case LABELS -> c + lack + "label";
                case POOLS -> c + lack + "pool";
                case NETWORKS -> c + lack + "network";
                case ANTI_AFFINITY -> c + " already" + run + "a guest of anti-affinity group";
                case AFFINITY -> c + run + "no guest of affinity group";
                case CPU -> c + lack + "vCPUs (need " + g.vcpus() + ", most free ";
                case MEMORY -> c + lack + "memory (need ";
            };
            assertTrue(m.contains(": " + expected) || m.contains(", " + expected), "'" + expected + "' missing in: " + m);
            named++;
        }
        assertEquals(named, m.split(", (?=\\d)").length, "one part per filter that excluded a node: " + m);
    }

    /**
     * Many guests placed together: each where every filter passes given the ones before it, no node over its limits,
     * and no two guests of an anti-affinity group on one node (unless they already shared it before).
     */
    @Property(tries = 100)
    void placeAllKeepsAntiAffinityAndCapacity(@ForAll("states") ClusterState state,
            @ForAll("batches") List<Function<String, Guest>> drafts, @ForAll("policies") Policy policy) {
        List<Guest> batch = new ArrayList<>();
        for (int k = 0; k < drafts.size(); k++) {
            batch.add(drafts.get(k).apply("new-" + k));
        }
        Placements placed;
        try {
            placed = Scheduler.placeAll(state, batch, policy);
        } catch (QuantixException e) {
            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.code(), e.getMessage());
            // the refusal is that of the first guest that does not fit once the ones before it are placed
            ClusterState before = state;
            for (Guest g : batch) {
                try {
                    before = before.placed(g, Scheduler.place(before, g, policy).id());
                } catch (QuantixException one) {
                    assertEquals(one.getMessage(), e.getMessage());
                    return;
                }
            }
            fail("placeAll refused a batch that fits guest by guest: " + e.getMessage());
            return;
        }
        ClusterState result = placed.state();
        assertEquals(batch.size(), placed.nodeByGuest().size());
        ClusterState step = state;
        for (Guest g : batch) {
            Node node = Oracle.node(step, placed.nodeByGuest().get(g.name()));
            assertEquals(Set.of(), Oracle.fails(step, g, policy, node), g.name() + " on " + node.id());
            step = step.placed(g, node.id());
        }
        assertEquals(step, result);
        for (Node n : result.nodes()) {
            boolean grew = !n.equals(Oracle.node(state, n.id()));
            if (grew) {
                assertTrue(n.usedCpus() <= Oracle.limit(n.cpus(), policy.cpuOvercommit()), n.toString());
                assertTrue(n.usedMemoryBytes() <= Oracle.limit(n.memoryBytes(), policy.memoryOvercommit()), n.toString());
            }
            for (Guest g : result.guestsOn(n.id())) {
                if (!g.name().startsWith("new-")) {
                    continue;
                }
                for (Guest other : result.guestsOn(n.id())) {
                    if (other != g) {
                        for (String group : g.antiAffinityGroups()) {
                            assertTrue(!other.antiAffinityGroups().contains(group),
                                    g.name() + " and " + other.name() + " share anti-affinity group " + group + " on " + n.id());
                        }
                    }
                }
            }
        }
    }
}
