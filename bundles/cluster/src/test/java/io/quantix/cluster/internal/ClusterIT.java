package io.quantix.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.JoinToken;
import io.quantix.api.cluster.MemberRole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members on 127.0.0.1-3 with real embedded ZooKeeper servers and real TLS on their join ports: create,
 * join with tokens, the ensemble's roles and leader, records that go with their node, restart, leave, and every
 * refused join leaving both sides as they were.
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
