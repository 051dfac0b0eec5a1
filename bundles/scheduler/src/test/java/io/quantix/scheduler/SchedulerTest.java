package io.quantix.scheduler;

import static io.quantix.api.Validation.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement cases a person can check by hand. */
class SchedulerTest {
    private static Node.Builder node(String id, int cpus, long memoryGiB, int usedCpus, long usedGiB) {
        return Node.builder(id, "node-" + id).cpus(cpus).memoryBytes(memoryGiB * GIB).usedCpus(usedCpus)
                .usedMemoryBytes(usedGiB * GIB).backend("libvirt").pool("default").network("lan");
    }

    private static ClusterState cluster(Node.Builder... nodes) {
        return new ClusterState(java.util.Arrays.stream(nodes).map(Node.Builder::build).toList(), Map.of());
    }

    private static Guest.Builder guest(String name, int vcpus, long memoryGiB) {
        return Guest.builder(name).vcpus(vcpus).memoryBytes(memoryGiB * GIB);
    }

    @Test
    void spreadTakesTheEmptiestNodeAndPackTheFullestThatFits() {
        ClusterState state = cluster(node("a", 16, 64, 12, 48), node("b", 16, 64, 2, 8), node("c", 16, 64, 8, 32));
        Guest g = guest("web1", 2, 8).build();
        assertEquals("b", Scheduler.place(state, g, Policy.builder().strategy(Strategy.SPREAD).build()).id());
        assertEquals("a", Scheduler.place(state, g, Policy.builder().strategy(Strategy.PACK).build()).id());
    }

    @Test
    void equalNodesGoToTheLowestIdWhateverTheirOrder() {
        Guest g = guest("web1", 1, 1).build();
        assertEquals("a", Scheduler.place(cluster(node("b", 8, 32, 0, 0), node("a", 8, 32, 0, 0)), g, Policy.defaults()).id());
        assertEquals("a", Scheduler.place(cluster(node("a", 8, 32, 0, 0), node("b", 8, 32, 0, 0)), g, Policy.defaults()).id());
    }

    @Test
    void aRefusalSaysWhichFilterExcludedHowManyNodes() {
        ClusterState state = cluster(node("a", 16, 64, 0, 58), node("b", 16, 64, 0, 60), node("c", 16, 64, 0, 0).maintenance(true));
        QuantixException e = assertThrows(QuantixException.class,
                () -> Scheduler.place(state, guest("big", 2, 8).build(), Policy.defaults()));
        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, e.code());
        assertEquals("no node can run guest 'big': 3 nodes: 2 lack memory (need 8 GiB, most free 6 GiB), 1 in maintenance",
                e.getMessage());
    }

    @Test
    void aRefusalNamesWhatTheGuestNeedsAndNoNodeOffers() {
        ClusterState state = cluster(node("a", 4, 16, 0, 0).reachable(false), node("b", 4, 16, 0, 0),
                node("c", 4, 16, 0, 0).label("ssd"), node("d", 4, 16, 16, 0).label("ssd").pool("fast"));
        Guest g = guest("db1", 1, 1).requiredLabel("ssd").pool("fast").build();
        QuantixException e = assertThrows(QuantixException.class, () -> Scheduler.place(state, g, Policy.defaults()));
        assertEquals("no node can run guest 'db1': 4 nodes: 1 unreachable, 1 lacks label ssd, 1 lacks pool fast,"
                + " 1 lacks vCPUs (need 1, most free 0)", e.getMessage());
    }

    @Test
    void overcommitLetsANodeAllocateMoreVcpusThanItHasAndNoMore() {
        ClusterState state = cluster(node("a", 4, 64, 7, 0));
        Policy twice = Policy.builder().cpuOvercommit(2).build();
        assertEquals("a", Scheduler.place(state, guest("one", 1, 1).build(), twice).id());
        QuantixException e = assertThrows(QuantixException.class, () -> Scheduler.place(state, guest("two", 2, 1).build(), twice));
        assertEquals("no node can run guest 'two': 1 node: 1 lacks vCPUs (need 2, most free 1)", e.getMessage());
        // a ratio in hundredths is exact: 10 CPUs at 0.3 allow 3 vCPUs
        ClusterState ten = cluster(node("a", 10, 64, 0, 0));
        assertEquals("a", Scheduler.place(ten, guest("three", 3, 1).build(), Policy.builder().cpuOvercommit(0.3).build()).id());
    }

    @Test
    void antiAffinitySpreadsAGroupAndRefusesWhenEveryNodeHasOne() {
        ClusterState state = cluster(node("a", 8, 32, 0, 0), node("b", 8, 32, 0, 0));
        List<Guest> dbs = List.of(guest("db1", 1, 1).antiAffinityGroup("db").build(),
                guest("db2", 1, 1).antiAffinityGroup("db").build());
        Placements placed = Scheduler.placeAll(state, dbs, Policy.defaults());
        assertEquals(Map.of("db1", "a", "db2", "b"), placed.nodeByGuest());
        QuantixException e = assertThrows(QuantixException.class, () -> Scheduler.place(placed.state(),
                guest("db3", 1, 1).antiAffinityGroup("db").build(), Policy.defaults()));
        assertEquals("no node can run guest 'db3': 2 nodes: 2 already run a guest of anti-affinity group db", e.getMessage());
    }

    @Test
    void affinityFollowsTheGroupEvenToTheFullerNode() {
        ClusterState state = cluster(node("a", 8, 32, 4, 16), node("b", 8, 32, 0, 0))
                .placed(guest("app1", 1, 1).affinityGroup("app").build(), "a");
        assertEquals("a", Scheduler.place(state, guest("app2", 1, 1).affinityGroup("app").build(), Policy.defaults()).id());
    }

    @Test
    void badInputIsRefusedWithAClearError() {
        ClusterState state = cluster(node("a", 8, 32, 1, 1)).placed(guest("web1", 1, 1).build(), "a");
        QuantixException twice = assertThrows(QuantixException.class,
                () -> Scheduler.place(state, guest("web1", 1, 1).build(), Policy.defaults()));
        assertEquals(ErrorCode.ALREADY_EXISTS, twice.code());
        assertEquals("guest 'web1' is placed already, on node node-a", twice.getMessage());
        QuantixException under = assertThrows(QuantixException.class, () -> new ClusterState(
                List.of(node("a", 8, 32, 0, 0).build()), Map.of("a", List.of(guest("web1", 1, 1).build()))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, under.code());
        QuantixException ratio = assertThrows(QuantixException.class, () -> Policy.builder().cpuOvercommit(1.005).build());
        assertEquals("CPU overcommit 1.005 has more than two decimals", ratio.getMessage());
        assertThrows(QuantixException.class, () -> Guest.builder("bad name").build());
        assertEquals("no node can run guest 'web2': the cluster has no nodes", assertThrows(QuantixException.class,
                () -> Scheduler.place(cluster(), guest("web2", 1, 1).build(), Policy.defaults())).getMessage());
    }
}
