package io.quantix.shell.internal;

import io.quantix.api.Network;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.service.NetworkService;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "network-create", description = "Creates a network on a network driver")
public class NetworkCreate extends QxAction {
    @Reference
    NetworkService networks;

    @Argument(name = "name", required = true, description = "network name")
    String name;

    @Option(name = "--driver", description = "network driver (bridge, ovn)")
    @Completion(BackendNameCompleter.class)
    String driver = "bridge";

    @Option(name = "--type", description = "BRIDGE, VLAN or OVERLAY")
    NetworkType type = NetworkType.BRIDGE;

    @Option(name = "--bridge", description = "host bridge to use (default: derived from the name)")
    String bridge;

    @Option(name = "--cidr", description = "subnet, e.g. 10.10.0.0/24")
    String cidr;

    @Option(name = "--gateway", description = "gateway address inside the subnet")
    String gateway;

    @Option(name = "--vlan", description = "VLAN id (VLAN networks)")
    Integer vlan;

    @Option(name = "--dhcp", description = "serve DHCP on the subnet")
    boolean dhcp;

    @Override
    protected Object run() {
        Network n = networks.create(new NetworkSpec(name, driver, type, Optional.ofNullable(cidr),
                Optional.ofNullable(gateway), dhcp, vlan == null ? OptionalInt.empty() : OptionalInt.of(vlan),
                Optional.ofNullable(bridge)));
        System.out.println("network " + n.name() + " created: " + n.status());
        return null;
    }
}
