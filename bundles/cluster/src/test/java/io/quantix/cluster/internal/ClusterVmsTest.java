package io.quantix.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsProposal;
import io.quantix.api.cluster.NodeState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cluster list and DRS plan as functions of the records alone (ClusterIT has them on real members). */
class ClusterVmsTest {
    private static final Map<String, String> NAMES = Map.of("n1", "alpha", "n2", "bravo");

    @Test
    void theListNamesOwnersShowsClashesAndKeepsTheVmsOfNodesThatAreGone() {
        List<Wire.VmRecord> records = List.of(record("n2", "web", 2, 2048, PowerState.RUNNING), record("n1", "web", 1, 512, PowerState.STOPPED),
                record("n1", "db", 4, 4096, PowerState.RUNNING), record("gone", "old", 1, 256, PowerState.RUNNING));
        List<ClusterVm> vms = ClusterVms.list(records, NAMES, Set.of("n1"));
        assertEquals(List.of("db alpha", "old gone", "web alpha", "web bravo"), vms.stream().map(v -> v.name() + " " + v.nodeName()).toList());
        assertEquals(List.of(NodeState.ONLINE, NodeState.UNREACHABLE, NodeState.ONLINE, NodeState.UNREACHABLE),
                vms.stream().map(ClusterVm::nodeState).toList());
        assertEquals(List.of(List.of(), List.of(), List.of("bravo"), List.of("alpha")), vms.stream().map(ClusterVm::nameClash).toList());
        assertEquals(2, vms.get(3).vcpus(), "each clashing VM keeps its own record");
    }

    @Test
    void thePlanCountsWhatClashingAndUnplannedVmsHoldButMovesOnlyTheRest() {
        List<Wire.VmRecord> records = List.of(record("n1", "a1", 2, 3072, PowerState.RUNNING), record("n1", "a2", 2, 3072, PowerState.RUNNING),
                record("n1", "same", 1, 1024, PowerState.RUNNING), record("n2", "same", 1, 1024, PowerState.RUNNING),
                record("n2", "off", 4, 8192, PowerState.STOPPED), record("n3", "far", 1, 512, PowerState.RUNNING));
        DrsProposal plan = ClusterVms.plan(records, Map.of("n1", node("n1", "alpha"), "n2", node("n2", "bravo")),
                Map.of("n1", "alpha", "n2", "bravo", "n3", "charlie"), Instant.now());
        assertEquals("allocated vCPUs and memory of 2 running VMs on 2 reachable nodes (the cluster's records carry no measured use yet;"
                + " no migration history, so no VM is held back); left out, unreachable: charlie (1 VMs); not moved, their names clash: same",
                plan.basis());
        assertTrue(!plan.moves().isEmpty() && plan.moves().stream().allMatch(m -> m.from().equals("alpha") && m.to().equals("bravo")),
                plan::toString);
        assertTrue(plan.imbalanceAfter() < plan.imbalanceBefore(), plan::toString);
    }

    private static Wire.NodeRecord node(String id, String name) {
        return new Wire.NodeRecord(id, name, List.of("127.0.0.1"), new Wire.Capacity(4, 8L << 30, List.of("libvirt"), List.of("default"),
                List.of(), List.of()), new Wire.Load(0, 0), null, false, 0);
    }

    private static Wire.VmRecord record(String node, String name, int vcpus, long memoryMiB, PowerState state) {
        Vm vm = TestMember.vm(name, vcpus, memoryMiB).withState(state);
        return new Wire.VmRecord(vm.id(), node, vm.state(), vm.version(), vm.spec());
    }
}
