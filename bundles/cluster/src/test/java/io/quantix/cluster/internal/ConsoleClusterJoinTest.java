package io.quantix.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.JoinToken;
import io.quantix.api.cluster.MemberRole;
import io.quantix.api.cluster.QuorumHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The console's status line and F4 join, on a recording stand-in for the cluster service. */
class ConsoleClusterJoinTest {
    /** Records the joins it is asked for; the cluster itself is ClusterIT's. */
    private static final class RecordingCluster implements ClusterService {
        final List<String> joins = new ArrayList<>();
        ClusterStatus status = statusOf(0);

        @Override
        public JoinToken create(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JoinToken newJoinToken() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ClusterStatus join(String host, int port, String token) {
            joins.add(host + " " + port + " " + token);
            return status;
        }

        @Override
        public void leave() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ClusterStatus status() {
            return status;
        }

        @Override
        public List<io.quantix.api.cluster.ClusterVm> vms() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.quantix.api.cluster.DrsProposal drsPlan() {
            throw new UnsupportedOperationException();
        }
    }

    static ClusterStatus statusOf(int members) {
        if (members == 0) {
            return new ClusterStatus(false, Optional.empty(), Optional.empty(), "n0", List.of(), Optional.empty(), new QuorumHealth(0, 0, false));
        }
        List<ClusterMember> list = IntStream.range(0, members).mapToObj(i -> new ClusterMember("n" + i, "node" + i, List.of("10.0.0." + i),
                MemberRole.PARTICIPANT, i == 0, true, Optional.empty())).toList();
        return new ClusterStatus(true, Optional.of("prod"), Optional.of("id"), "n0", list, Optional.of("n0"),
                new QuorumHealth(members, members, true));
    }

    @Test
    void statusLine() {
        RecordingCluster cluster = new RecordingCluster();
        ConsoleClusterJoin join = new ConsoleClusterJoin(cluster);
        assertEquals("standalone", join.status());
        cluster.status = statusOf(1);
        assertEquals("member of prod (1 node)", join.status());
        cluster.status = statusOf(3);
        assertEquals("member of prod (3 nodes)", join.status());
    }

    @Test
    void theControlPlaneUrlIsAJoinAddress() {
        RecordingCluster cluster = new RecordingCluster();
        ConsoleClusterJoin join = new ConsoleClusterJoin(cluster);
        join.join("https://node1.lab:9555/", " QX1.abc \n".toCharArray());
        join.join("10.0.0.7", "QX1.def".toCharArray());
        assertEquals(List.of("node1.lab 9555 QX1.abc", "10.0.0.7 " + ClusterService.DEFAULT_JOIN_PORT + " QX1.def"), cluster.joins);
    }

    @Test
    void aBadAddressIsRefusedBeforeAnyJoin() {
        RecordingCluster cluster = new RecordingCluster();
        QuantixException e = assertThrows(QuantixException.class,
                () -> new ConsoleClusterJoin(cluster).join("node1:99999", "QX1.abc".toCharArray()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(cluster.joins.isEmpty());
    }
}
