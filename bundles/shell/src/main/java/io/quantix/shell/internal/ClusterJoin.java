package io.quantix.shell.internal;

import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.JoinAddress;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "cluster-join", description = "Joins the cluster of the member at HOST[:PORT] with a join token it issued")
public class ClusterJoin extends ClusterAction {
    @Argument(index = 0, name = "address", required = true, description = "a member's HOST[:PORT] (port 9444 unless given)")
    String address;

    @Argument(index = 1, name = "token", required = true, description = "join token (qx:cluster-token on a member)")
    String token;

    @Override
    protected Object run() {
        JoinAddress at = JoinAddress.parse(address);
        ClusterStatus status = cluster().join(at.host(), at.port(), token);
        System.out.println("joined cluster '" + status.name().orElse("?") + "' (" + status.members().size() + " members)");
        return null;
    }
}
