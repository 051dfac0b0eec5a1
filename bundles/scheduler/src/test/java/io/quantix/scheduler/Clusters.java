package io.quantix.scheduler;

import io.quantix.api.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of cluster states small enough to read when a property fails: a few nodes with a mix of
 * backends, pools, networks and labels, some in maintenance or unreachable, guests in affinity and anti-affinity
 * groups, allocations up to and past the overcommit limits.
 */
final class Clusters {
    static final List<String> BACKENDS = List.of("libvirt", "cloud-hypervisor");
    static final List<String> POOLS = List.of("fast", "slow", "nfs");
    static final List<String> NETWORKS = List.of("lan", "san", "dmz");
    static final List<String> LABELS = List.of("ssd", "gpu", "zone=a", "zone=b");
    static final List<String> ANTI = List.of("db", "web");
    static final List<String> AFFINITY = List.of("app", "cache");
    static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    private Clusters() {
    }

    static Arbitrary<Set<String>> subset(List<String> values, int max) {
        return Arbitraries.of(values).set().ofMaxSize(max);
    }

    /** What a guest requires: mostly nothing, so that enough nodes qualify for capacity and weights to matter. */
    static Arbitrary<Set<String>> needs(List<String> values, int max) {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Set.<String>of())), Tuple.of(1, subset(values, max)));
    }

    /** What a node offers: mostly much. */
    static Arbitrary<Set<String>> offers(List<String> values) {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Set.copyOf(values))), Tuple.of(2, subset(values, values.size())));
    }

    /** A guest with its name to come. */
    static Arbitrary<Function<String, Guest>> guest() {
        return Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.longs().between(256, 16 * 1024),
                Arbitraries.of(BACKENDS), needs(POOLS, 1), needs(NETWORKS, 2), needs(LABELS, 1), needs(AFFINITY, 1),
                needs(ANTI, 2))
                .as((cpus, mib, backend, pools, nets, labels, affinity, anti) ->
                        name -> new Guest(name, cpus, mib * Validation.MIB, backend, pools, nets, labels, affinity, anti));
    }

    /** A node with its id and name to come, and the guests it runs. */
    record NodeDraft(int cpus, long memoryGiB, int reservedCpus, long reservedMiB, Set<String> backends,
            Set<String> pools, Set<String> networks, Set<String> labels, boolean maintenance, boolean reachable,
            List<Function<String, Guest>> guests) {
    }

    static Arbitrary<NodeDraft> node() {
        var size = Combinators.combine(Arbitraries.integers().between(1, 64), Arbitraries.longs().between(2, 256),
                Arbitraries.integers().between(0, 4), Arbitraries.longs().between(0, 4096)).as(List::<Object>of);
        var reach = Combinators.combine(offers(BACKENDS), offers(POOLS), offers(NETWORKS), subset(LABELS, 3))
                .as(List::<Object>of);
        @SuppressWarnings("unchecked")
        Arbitrary<NodeDraft> draft = Combinators.combine(size, reach,
                Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true)),
                Arbitraries.frequency(Tuple.of(9, true), Tuple.of(1, false)),
                guest().list().ofMaxSize(6))
                .as((s, r, maintenance, reachable, guests) -> new NodeDraft((Integer) s.get(0), (Long) s.get(1),
                        (Integer) s.get(2), (Long) s.get(3), (Set<String>) r.get(0), (Set<String>) r.get(1),
                        (Set<String>) r.get(2), (Set<String>) r.get(3), maintenance, reachable, guests));
        return draft;
    }

    static Arbitrary<ClusterState> states(int maxNodes) {
        return node().list().ofMaxSize(maxNodes).map(Clusters::state);
    }

    /** Node k is node-k (ids "n" + k, so id order differs from name order past 9); its guests vm-k-j. */
    static ClusterState state(List<NodeDraft> drafts) {
        List<Node> nodes = new ArrayList<>();
        Map<String, List<Guest>> guests = new HashMap<>();
        for (int k = 0; k < drafts.size(); k++) {
            NodeDraft d = drafts.get(k);
            String id = "n" + k;
            List<Guest> list = new ArrayList<>();
            int cpus = d.reservedCpus();
            long memory = d.reservedMiB() * Validation.MIB;
            for (int j = 0; j < d.guests().size(); j++) {
                Guest g = d.guests().get(j).apply("vm-" + k + "-" + j);
                list.add(g);
                cpus += g.vcpus();
                memory += g.memoryBytes();
            }
            nodes.add(new Node(id, "node-" + k, d.cpus(), d.memoryGiB() * Validation.GIB, cpus, memory, d.backends(),
                    d.pools(), d.networks(), d.labels(), d.maintenance(), d.reachable()));
            guests.put(id, list);
        }
        return new ClusterState(nodes, guests);
    }

    static Arbitrary<Policy> policies() {
        return Combinators.combine(Arbitraries.of(0.5, 1.0, 1.5, 4.0, 16.0), Arbitraries.of(0.8, 1.0, 1.25),
                Arbitraries.of(Strategy.values()), Arbitraries.of(0.0, 0.5, 1.0, 3.0), Arbitraries.of(0.0, 1.0, 2.0))
                .filter((c, m, s, cw, mw) -> cw + mw > 0)
                .as(Policy::new);
    }

    /** Measured use for some nodes and guests (the others fall back), recent migrations for some guests. */
    static Arbitrary<DrsInput> inputs(ClusterState state) {
        List<Guest> all = state.guests().values().stream().flatMap(List::stream).toList();
        Arbitrary<List<Double>> nodeShare = Arbitraries.doubles().between(0, 1.2).injectNull(0.4).list()
                .ofSize(state.nodes().size());
        Arbitrary<List<Double>> guestShare = Arbitraries.doubles().between(0, 1).injectNull(0.3).list().ofSize(all.size());
        Arbitrary<List<Integer>> minutesAgo = Arbitraries.integers().between(0, 180).injectNull(0.6).list()
                .ofSize(all.size());
        return Combinators.combine(nodeShare, guestShare, minutesAgo).as((ns, gs, ago) -> {
            Map<String, Usage> nodeUsage = new HashMap<>();
            for (int i = 0; i < ns.size(); i++) {
                Node n = state.nodes().get(i);
                if (ns.get(i) != null) {
                    nodeUsage.put(n.id(), new Usage(n.cpus() * ns.get(i), (long) (n.memoryBytes() * Math.min(1, ns.get(i)))));
                }
            }
            Map<String, Usage> guestUsage = new HashMap<>();
            Map<String, Instant> lastMoves = new HashMap<>();
            for (int j = 0; j < all.size(); j++) {
                Guest g = all.get(j);
                if (gs.get(j) != null) {
                    guestUsage.put(g.name(), new Usage(g.vcpus() * gs.get(j), (long) (g.memoryBytes() * gs.get(j))));
                }
                if (ago.get(j) != null) {
                    lastMoves.put(g.name(), NOW.minus(Duration.ofMinutes(ago.get(j))));
                }
            }
            return new DrsInput(nodeUsage, guestUsage, lastMoves, NOW);
        });
    }
}
