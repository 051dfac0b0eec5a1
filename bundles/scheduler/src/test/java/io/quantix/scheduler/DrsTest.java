package io.quantix.scheduler;

import static io.quantix.api.Validation.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DRS cases a person can check by hand: two busy guests on one node, an idle node beside it. */
class DrsTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    private static Node node(String id, int usedCpus, long usedGiB) {
        return Node.builder(id, "node-" + id).cpus(8).memoryBytes(32 * GIB).usedCpus(usedCpus).usedMemoryBytes(usedGiB * GIB)
                .backend("libvirt").build();
    }

    private static Guest guest(String name) {
        return Guest.builder(name).vcpus(4).memoryBytes(8 * GIB).build();
    }

    private static final ClusterState STATE = new ClusterState(List.of(node("a", 8, 16), node("b", 0, 0)),
            Map.of("a", List.of(guest("web1"), guest("web2"))));

    private static DrsInput input(Map<String, Instant> lastMoves) {
        return new DrsInput(Map.of(), Map.of("web1", new Usage(3, 6 * GIB), "web2", new Usage(2, 4 * GIB)), lastMoves, NOW);
    }

    @Test
    void movesTheBusiestGuestOffTheLoadedNodeAndSaysWhy() {
        DrsPlan plan = Drs.plan(STATE, input(Map.of()), DrsPolicy.builder().build());
        // CPU ratios 5/8 and 0 (deviation 0.3125), memory 10/32 and 0 (0.15625): weighted alike, 0.234
        assertEquals(0.234375, plan.imbalanceBefore(), 1e-12);
        assertEquals(1, plan.moves().size(), plan.toString());
        Move m = plan.moves().get(0);
        assertEquals(List.of("web1", "a", "b"), List.of(m.guest(), m.from(), m.to()));
        // after: CPU 2/8 and 3/8, memory 4/32 and 6/32
        assertEquals((0.0625 + 0.03125) / 2, m.imbalanceAfter(), 1e-12);
        assertEquals("node-a is loaded above the mean (CPU 63%, memory 31%; mean 31%, 16%): moving web1 (using 3.00"
                + " cores, 6 GiB) to node-b (CPU 0%, memory 0%) lowers the imbalance from 0.234 to 0.047", m.reason());
        assertEquals(DrsMode.MANUAL, plan.mode());
        assertEquals("1 move lowers the imbalance from 0.234 to 0.047", plan.summary());
    }

    @Test
    void aGuestMovedWithinTheWindowStaysAndTheOtherGoes() {
        DrsPlan plan = Drs.plan(STATE, input(Map.of("web1", NOW.minus(Duration.ofMinutes(10)))),
                DrsPolicy.builder().window(Duration.ofHours(1)).build());
        assertEquals(List.of("web2"), plan.moves().stream().map(Move::guest).toList());
        DrsPlan later = Drs.plan(STATE, input(Map.of("web1", NOW.minus(Duration.ofHours(2)))),
                DrsPolicy.builder().window(Duration.ofHours(1)).build());
        assertEquals(List.of("web1"), later.moves().stream().map(Move::guest).toList());
    }

    @Test
    void offMeasuresOnlyAndAHighThresholdProposesNothing() {
        DrsPlan off = Drs.plan(STATE, input(Map.of()), DrsPolicy.builder().mode(DrsMode.OFF).build());
        assertEquals(List.of(), off.moves());
        assertEquals(0.234375, off.imbalanceAfter(), 1e-12);
        assertEquals("DRS is off; the imbalance is 0.234", off.summary());
        // the one move gains 0.1875
        DrsPlan picky = Drs.plan(STATE, input(Map.of()), DrsPolicy.builder().threshold(0.2).build());
        assertEquals(List.of(), picky.moves());
        assertEquals("no plan: the best 1 move lowers the imbalance from 0.234 to 0.047, not more than the threshold 0.2",
                picky.summary());
        assertEquals(1, Drs.plan(STATE, input(Map.of()), DrsPolicy.builder().threshold(0.18).build()).moves().size());
    }

    @Test
    void neverOntoANodeThatFailsAFilter() {
        ClusterState state = new ClusterState(List.of(node("a", 8, 16),
                Node.builder("b", "node-b").cpus(8).memoryBytes(32 * GIB).backend("cloud-hypervisor").build(),
                Node.builder("c", "node-c").cpus(8).memoryBytes(32 * GIB).backend("libvirt").maintenance(true).build()),
                Map.of("a", List.of(guest("web1"), guest("web2"))));
        assertEquals(List.of(), Drs.plan(state, input(Map.of()), DrsPolicy.builder().build()).moves());
    }
}
