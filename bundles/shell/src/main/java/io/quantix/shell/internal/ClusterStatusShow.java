package io.quantix.shell.internal;

import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.QuorumHealth;
import java.time.Instant;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "cluster-status", description = "Shows the cluster: members, roles, heartbeats, ZooKeeper leader, quorum")
public class ClusterStatusShow extends ClusterAction {
    @Override
    protected Object run() {
        ClusterStatus status = cluster().status();
        if (!status.clustered()) {
            System.out.println("standalone: this node is in no cluster (qx:cluster-create NAME, or qx:cluster-join HOST[:PORT] TOKEN)");
            return null;
        }
        QuorumHealth q = status.quorum();
        String leader = status.zookeeperLeader().flatMap(status::member).map(ClusterMember::name)
                .orElse(status.zookeeperLeader().orElse("none"));
        System.out.println("cluster " + status.name().orElse("?") + " (" + status.clusterId().orElse("?") + ")");
        System.out.println("ZooKeeper leader: " + leader);
        System.out.println("quorum: " + (q.hasQuorum() ? "healthy" : "LOST") + ", " + q.votersUp() + " of " + q.voters() + " voters up");
        ShellTable table = new ShellTable();
        for (String c : new String[] {"Name", "Id", "Address", "Role", "Leader", "Online", "Heartbeat"}) {
            table.column(c);
        }
        Instant now = Instant.now();
        for (ClusterMember m : status.members()) {
            table.addRow().addContent(m.name() + (m.id().equals(status.localNodeId()) ? " *" : ""), m.id(),
                    String.join(",", m.addresses()), m.role().name().toLowerCase(Locale.ROOT), m.zookeeperLeader() ? "yes" : "",
                    m.online() ? "yes" : "NO", Format.age(m.lastHeartbeat(), now));
        }
        table.print(System.out);
        System.out.println("* this node");
        return null;
    }
}
