package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "cluster-token", description = "Prints a new single-use join token of this node's cluster")
public class ClusterToken extends ClusterAction {
    @Override
    protected Object run() {
        print(cluster().newJoinToken());
        return null;
    }
}
