package io.quantix.cluster.internal;

import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.JoinAddress;
import io.quantix.console.ClusterJoin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The console's F4 "join cluster" and its status line, on the cluster service. A component of its own, not part of
 * {@link ClusterComponent}: the console package is imported optionally (a node without the DCUI still clusters), and
 * this lazy component's class, the only one that names it, is loaded only when the console asks for the service.
 */
@Component(service = ClusterJoin.class)
public class ConsoleClusterJoin implements ClusterJoin {
    private final ClusterService cluster;

    @Activate
    public ConsoleClusterJoin(@Reference ClusterService cluster) {
        this.cluster = cluster;
    }

    @Override
    public String status() {
        return line(cluster.status());
    }

    static String line(ClusterStatus status) {
        if (!status.clustered()) {
            return "standalone";
        }
        int n = status.members().size();
        return "member of " + status.name().orElse("?") + " (" + n + (n == 1 ? " node)" : " nodes)");
    }

    @Override
    public void join(String controlPlaneUrl, char[] joinToken) {
        JoinAddress address = JoinAddress.parse(controlPlaneUrl);
        cluster.join(address.host(), address.port(), new String(joinToken).strip());
    }
}
