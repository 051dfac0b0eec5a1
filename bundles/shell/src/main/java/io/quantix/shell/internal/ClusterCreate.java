package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "cluster-create", description = "Makes this node a one-member cluster and prints its first join token")
public class ClusterCreate extends ClusterAction {
    @Argument(index = 0, name = "name", required = true, description = "cluster name")
    String name;

    @Override
    protected Object run() {
        var token = cluster().create(name);
        System.out.println("cluster '" + name + "' created; join another node with:");
        System.out.println("  qx:cluster-join <this node's address>[:port] <token>");
        print(token);
        return null;
    }
}
