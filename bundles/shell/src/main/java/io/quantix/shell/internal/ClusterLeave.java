package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "cluster-leave", description = "Takes this node out of its cluster; it runs standalone again")
public class ClusterLeave extends ClusterAction {
    @Override
    protected Object run() {
        String name = cluster().status().name().orElse("?");
        cluster().leave();
        System.out.println("left cluster '" + name + "': this node is standalone");
        return null;
    }
}
