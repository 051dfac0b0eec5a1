package io.quantix.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsProposal;
import io.quantix.api.cluster.JoinToken;
import io.quantix.api.cluster.MemberRole;
import io.quantix.api.cluster.NodeState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members on 127.0.0.1-3 with real embedded ZooKeeper servers and real TLS on their join ports: create,
 * join with tokens, the ensemble's roles and leader, records that go with their node, restart, leave, and every
 * refused join leaving both sides as they were; the VMs each member publishes, listed on every member (a stopped owner's
 * too), name clashes, and DRS plans over the members' VM records.
 */
class ClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private TestMember n1;
    private TestMember n2;
    private TestMember n3;

    @AfterEach
    void stop() {
        for (TestMember member : new TestMember[] {n3, n2, n1}) {
            if (member != null) {
                member.close();
            }
        }
    }

    @Test
    void threeNodesFormAVotingEnsembleThatShrinksWhenOneLeaves() throws Exception {
        n1 = new TestMember(root, 1, "alpha");
        n2 = new TestMember(root, 2, "bravo");
        n3 = new TestMember(root, 3, "charlie");
        long start = System.nanoTime();
        JoinToken first = n1.node.create("lab");
        n2.node.join(n1.address, n1.joinPort(), first.token());
        // any member admits: the second joiner goes to bravo with a token that bravo made
        ClusterStatus joined = n3.node.join(n2.address, n2.joinPort(), n2.node.newJoinToken().token());
        System.out.printf("create + 2 joins to a 3-member cluster: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertEquals(Set.of("alpha", "bravo", "charlie"), names(joined));
        ClusterStatus status = n1.awaitStatus("three voters up and a leader", WAIT,
                s -> s.quorum().votersUp() == 3 && s.zookeeperLeader().isPresent() && s.members().stream().allMatch(ClusterMember::online));
        assertEquals("lab", status.name().orElseThrow());
        assertEquals(3, status.quorum().voters());
        assertTrue(status.quorum().hasQuorum());
        assertTrue(status.members().stream().allMatch(m -> m.role() == MemberRole.PARTICIPANT), status::toString);
        assertTrue(status.members().stream().allMatch(m -> m.lastHeartbeat().isPresent()), status::toString);
        assertEquals(1, status.members().stream().filter(ClusterMember::zookeeperLeader).count(), status::toString);
        String leader = status.zookeeperLeader().orElseThrow();
        assertEquals(leader, n3.node.status().zookeeperLeader().orElseThrow(), "every member names the same leader");

        // a member that stops (no leave) loses its ephemeral record; the others keep their quorum
        n3.node.close();
        ClusterStatus without = n1.awaitStatus("charlie's record gone", WAIT, s -> !member(s, "charlie").online());
        assertTrue(member(without, "alpha").online() && member(without, "bravo").online(), without::toString);
        assertEquals(3, without.members().size(), "a stopped node is still a member");
        assertTrue(without.quorum().hasQuorum());
        assertEquals(2, without.quorum().votersUp());

        // it comes back from its files alone
        n3.restart();
        n1.awaitStatus("charlie online again", WAIT, s -> member(s, "charlie").online() && s.quorum().votersUp() == 3);

        n3.node.leave();
        assertFalse(n3.node.status().clustered());
        assertEquals(List.of(), n3.clusterFiles(), "leaving deletes the node's cluster state and ZooKeeper data");
        ClusterStatus shrunk = n1.awaitStatus("two voters", WAIT, s -> s.members().size() == 2 && s.quorum().voters() == 2);
        assertEquals(Set.of("alpha", "bravo"), names(shrunk));
        assertTrue(shrunk.quorum().hasQuorum());
        assertEquals(shrunk.members().stream().map(ClusterMember::id).collect(Collectors.toSet()),
                Set.of(n1.info.id(), n2.info.id()));
    }

    @Test
    void refusedJoinsChangeNothingOnEitherSide() throws Exception {
        n1 = new TestMember(root, 1, "alpha");
        n2 = new TestMember(root, 2, "bravo");
        n3 = new TestMember(root, 3, "alpha");
        JoinToken token = n1.node.create("lab");
        ClusterStatus before = n1.node.status();

        refused(ErrorCode.UNAUTHENTICATED, () -> n2.node.join(n1.address, n1.joinPort(), "not-a-token"));
        String forged = token.token().substring(0, token.token().lastIndexOf('.') + 1) + "A".repeat(32);
        refused(ErrorCode.UNAUTHENTICATED, () -> n2.node.join(n1.address, n1.joinPort(), forged));
        refused(ErrorCode.BACKEND_UNAVAILABLE, () -> n2.node.join("127.0.0.1", n2.joinPort(), token.token()));
        refused(ErrorCode.INVALID_ARGUMENT, () -> n2.node.join("bad host;", n1.joinPort(), token.token()));
        // a name that a member already has
        refused(ErrorCode.ALREADY_EXISTS, () -> n3.node.join(n1.address, n1.joinPort(), token.token()));

        // a token of another cluster: the server's CA is not the token's, so the token is never sent
        try (TestMember other = new TestMember(root, 4, "delta")) {
            JoinToken foreign = other.node.create("elsewhere");
            refused(ErrorCode.UNAUTHENTICATED, () -> n2.node.join(n1.address, n1.joinPort(), foreign.token()));
            assertEquals(1, other.node.status().members().size());
            // ... and it is still good where it belongs
            n2.node.join(other.address, other.joinPort(), foreign.token());
            assertEquals(2, other.node.status().members().size());
            n2.node.leave();
        }
        assertEquals(List.of(n1.info.id()), ids(n1.node.status()), "alpha's cluster is as it was");
        assertEquals(ids(before), ids(n1.node.status()));
        assertEquals(List.of(), n3.clusterFiles(), "a refused node keeps no cluster state");
        assertEquals(List.of(), n2.clusterFiles(), "a node that left keeps no cluster state");
        assertFalse(n2.node.status().clustered() || n3.node.status().clustered());

        // none of the refusals used the token up
        n2.node.join(n1.address, n1.joinPort(), token.token());
        n1.awaitStatus("bravo a member", WAIT, s -> s.members().size() == 2);
        // ... but now it is
        TestMember late = new TestMember(root, 5, "echo");
        try (late) {
            refused(ErrorCode.UNAUTHENTICATED, () -> late.node.join(n1.address, n1.joinPort(), token.token()));
            assertEquals(List.of(), late.clusterFiles());
            // expired: the admitting member's clock is past the token's lifetime
            JoinToken expiring = n1.node.newJoinToken();
            n1.clock.advance(Duration.ofHours(2));
            refused(ErrorCode.UNAUTHENTICATED, () -> late.node.join(n1.address, n1.joinPort(), expiring.token()));
            assertEquals(List.of(), late.clusterFiles());
        }
        // a member cannot join again, nor create a cluster
        refused(ErrorCode.CONFLICT, () -> n2.node.join(n1.address, n1.joinPort(), n1.node.newJoinToken().token()));
        refused(ErrorCode.CONFLICT, () -> n2.node.create("another"));
        assertEquals(2, n1.node.status().members().size());
    }

    @Test
    void everyMemberListsEveryMembersVmsAndAStoppedOwnersVmsStayListed() throws Exception {
        n1 = new TestMember(root, 1, "alpha");
        n2 = new TestMember(root, 2, "bravo");
        n3 = new TestMember(root, 3, "charlie");
        refused(ErrorCode.CONFLICT, () -> n1.node.vms());
        n2.node.join(n1.address, n1.joinPort(), n1.node.create("lab").token());
        n3.node.join(n1.address, n1.joinPort(), n1.node.newJoinToken().token());
        Vm web = TestMember.vm("web", 2, 2048);
        Vm db = TestMember.vm("db", 4, 4096);
        n2.setVms(List.of(web, db));

        List<ClusterVm> listed = n3.awaitVms("bravo's two VMs", WAIT, l -> l.size() == 2);
        assertEquals(List.of("db", "web"), listed.stream().map(ClusterVm::name).toList(), "sorted by name");
        ClusterVm shown = vm(listed, "web", "bravo");
        assertEquals(web.id(), shown.id());
        assertEquals(n2.info.id(), shown.nodeId());
        assertEquals(NodeState.ONLINE, shown.nodeState());
        assertEquals(2, shown.vcpus());
        assertEquals(2048, shown.memoryMiB());
        assertEquals(PowerState.RUNNING, shown.state());
        assertEquals("libvirt", shown.hypervisor());
        assertEquals(1, shown.version());
        assertEquals(List.of(), shown.nameClash());
        assertEquals(listed, n1.node.vms(), "every member answers the same");
        // the definition another node needs to start it (HA) reads back as it was
        assertEquals(Optional.of(web.spec()), n3.node.definition(n2.info.id(), web.id()));

        // a change and a removal follow
        n2.setVms(List.of(web, db.withState(PowerState.STOPPED).withVersion(2)));
        n3.awaitVms("db stopped", WAIT, l -> vm(l, "db", "bravo").state() == PowerState.STOPPED);
        assertEquals(2, vm(n3.node.vms(), "db", "bravo").version());

        // a name that another node already has: both VMs kept, each with its own record, and the clash shown on both
        Vm otherWeb = TestMember.vm("web", 1, 512);
        n3.setVms(List.of(otherWeb));
        List<ClusterVm> clash = n1.awaitVms("charlie's web", WAIT, l -> l.size() == 3);
        assertEquals(List.of("charlie"), vm(clash, "web", "bravo").nameClash());
        assertEquals(List.of("bravo"), vm(clash, "web", "charlie").nameClash());
        assertEquals(2, vm(clash, "web", "bravo").vcpus(), "bravo's web is not overwritten by charlie's");
        assertEquals(1, vm(clash, "web", "charlie").vcpus());
        n2.setVms(List.of(web));
        n1.awaitVms("db deleted", WAIT, l -> l.size() == 2 && l.stream().noneMatch(v -> v.name().equals("db")));

        // many VMs at once: published in batches; how long until another member lists them all (a figure, not asserted)
        List<Vm> many = new java.util.ArrayList<>(List.of(web));
        for (int i = 0; i < 1000; i++) {
            many.add(TestMember.vm(String.format("bulk-%04d", i), 1, 256));
        }
        long start = System.nanoTime();
        n2.setVms(many);
        n3.awaitVms("1,000 more VMs of bravo", WAIT, l -> l.size() == 1002);
        System.out.printf("1,000 VM records published by one member and listed on another: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        n2.setVms(List.of(web));
        n3.awaitVms("bravo's bulk VMs gone", WAIT, l -> l.size() == 2);

        // bravo stops (no leave): its VMs are still listed, from their records, as UNREACHABLE; the list still answers
        n2.node.close();
        List<ClusterVm> down = n3.awaitVms("bravo unreachable", WAIT, l -> vm(l, "web", "bravo").nodeState() == NodeState.UNREACHABLE);
        assertEquals(2, down.size());
        assertEquals(NodeState.ONLINE, vm(down, "web", "charlie").nodeState());
        assertEquals(Optional.of(web.spec()), n3.node.definition(n2.info.id(), web.id()), "its definition stays readable");

        // a VM made while it was down is published when it comes back (no event: the first pass after it connects)
        Vm late = TestMember.vm("late", 1, 256);
        n2.setVms(List.of(web, late));
        n2.restart();
        List<ClusterVm> back = n3.awaitVms("bravo online again with its late VM", WAIT,
                l -> vm(l, "web", "bravo").nodeState() == NodeState.ONLINE && l.size() == 3);
        assertEquals(late.id(), vm(back, "late", "bravo").id());
        // then it leaves and takes its records along
        n2.node.leave();
        List<ClusterVm> left = n3.awaitVms("bravo's VMs gone with it", WAIT, l -> l.size() == 1);
        assertEquals("charlie", left.get(0).nodeName());
        assertEquals(List.of(), left.get(0).nameClash());
    }

    @Test
    void theDrsPlanMovesFromTheMostLoadedMemberAndMovesNothing() throws Exception {
        n1 = new TestMember(root, 1, "alpha");
        n2 = new TestMember(root, 2, "bravo");
        n3 = new TestMember(root, 3, "charlie");
        n2.node.join(n1.address, n1.joinPort(), n1.node.create("lab").token());
        n3.node.join(n1.address, n1.joinPort(), n1.node.newJoinToken().token());
        // each member has 4 CPUs and 8 GiB: alpha is full, bravo has a little, charlie nothing
        n1.setVms(List.of(TestMember.vm("a1", 1, 1536), TestMember.vm("a2", 1, 1536), TestMember.vm("a3", 1, 1536),
                TestMember.vm("a4", 1, 1536)));
        n2.setVms(List.of(TestMember.vm("b1", 1, 512), TestMember.vm("b2", 1, 512).withState(PowerState.STOPPED)));
        n3.awaitVms("every member's VMs", WAIT, l -> l.size() == 6);

        DrsProposal plan = n3.node.drsPlan();
        assertTrue(plan.basis().startsWith("allocated vCPUs and memory of 5 running VMs on 3 reachable nodes"), plan::toString);
        assertFalse(plan.moves().isEmpty(), plan::toString);
        assertTrue(plan.moves().stream().allMatch(m -> m.from().equals("alpha") && m.vm().startsWith("a")), plan::toString);
        assertTrue(plan.moves().stream().allMatch(m -> !m.to().equals("alpha") && !m.reason().isBlank()), plan::toString);
        assertEquals("charlie", plan.moves().get(0).to(), "the first move goes to the emptiest member: " + plan);
        assertTrue(plan.imbalanceAfter() < plan.imbalanceBefore(), plan::toString);
        assertEquals(plan.moves().get(plan.moves().size() - 1).imbalanceAfter(), plan.imbalanceAfter(), 1e-12);
        // a plan in manual mode moves nothing
        assertEquals(4, n1.node.vms().stream().filter(v -> v.nodeName().equals("alpha")).count());

        // a clashing name is not planned with, and the plan says so; an unreachable member's VMs are left out
        n3.setVms(List.of(TestMember.vm("a1", 1, 512)));
        n1.awaitVms("charlie's a1", WAIT, l -> l.size() == 7);
        assertTrue(n1.node.drsPlan().basis().contains("not moved, their names clash: a1"), () -> n1.node.drsPlan().basis());
        n2.node.close();
        DrsProposal without = n1.awaitPlan("bravo unreachable", WAIT, p -> p.basis().contains("unreachable: bravo (1 VMs)"));
        assertTrue(without.basis().contains("on 2 reachable nodes"), without::toString);
        assertTrue(without.moves().stream().noneMatch(m -> m.to().equals("bravo") || m.from().equals("bravo")), without::toString);
    }

    private static ClusterVm vm(List<ClusterVm> list, String name, String node) {
        return list.stream().filter(v -> v.name().equals(name) && v.nodeName().equals(node)).findFirst()
                .orElseThrow(() -> new AssertionError("no VM " + name + " of " + node + " in " + list));
    }

    private static void refused(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e::toString);
    }

    private static ClusterMember member(ClusterStatus status, String name) {
        return status.members().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no member " + name + " in " + status));
    }

    private static Set<String> names(ClusterStatus status) {
        return status.members().stream().map(ClusterMember::name).collect(Collectors.toSet());
    }

    private static List<String> ids(ClusterStatus status) {
        return status.members().stream().map(ClusterMember::id).toList();
    }
}
