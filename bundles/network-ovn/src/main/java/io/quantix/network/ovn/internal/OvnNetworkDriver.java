package io.quantix.network.ovn.internal;

import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.SecurityGroup;
import io.quantix.api.Validation;
import io.quantix.api.spi.NetworkDriver;
import io.quantix.api.spi.Reconciliation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QuantumNet: overlay and VLAN networks on OVN. The driver writes the OVN Northbound database only
 * (ovn-northd and ovn-controller turn it into flows); VM NICs are plugged into the integration bridge with
 * their port's UUID as OVS {@code iface-id}, which is how ovn-controller binds them.
 */
@Component(service = NetworkDriver.class, property = "quantix.backend=ovn", configurationPid = "io.quantix.network.ovn")
@Designate(ocd = OvnNetworkDriver.Config.class)
public class OvnNetworkDriver implements NetworkDriver {
    private static final Logger LOG = LoggerFactory.getLogger(OvnNetworkDriver.class);

    @ObjectClassDefinition(name = "Quantix OVN network driver")
    public @interface Config {
        @AttributeDefinition(description = "OVN Northbound database: unix:/path/to/ovnnb_db.sock or tcp:HOST:PORT")
        String nbConnection() default "unix:/var/run/ovn/ovnnb_db.sock";

        @AttributeDefinition(description = "OVS integration bridge VM NICs are plugged into")
        String integrationBridge() default "br-int";

        @AttributeDefinition(description = "How long a request to the Northbound database may take, in seconds")
        int timeoutSeconds() default 30;

        @AttributeDefinition(description = "OVN chassis (system-id) that hosts routers' uplinks, where SNAT, floating IPs"
                + " and load balancers are done; empty: none (routing between networks only)")
        String gatewayChassis() default "";
    }

    private final OvnNorthbound nb;
    private final OvnRouters routers;
    private final String bridge;

    @Activate
    public OvnNetworkDriver(Config config) {
        this(new OvsdbClient(OvsdbEndpoint.parse(config.nbConnection()),
                Duration.ofSeconds(Validation.range("timeout", config.timeoutSeconds(), 1, 600))),
                config.integrationBridge(), Optional.of(config.gatewayChassis()).filter(c -> !c.isBlank()));
    }

    OvnNetworkDriver(OvsdbClient client, String bridge, Optional<String> gatewayChassis) {
        this.nb = new OvnNorthbound(client);
        this.routers = new OvnRouters(nb, gatewayChassis.map(c -> Validation.name("gateway chassis", c)));
        this.bridge = Validation.interfaceName("integration bridge", bridge);
    }

    @Deactivate
    void close() {
        nb.client().close();
    }

    OvnNorthbound northbound() {
        return nb;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.OVERLAY, Capability.VLAN, Capability.DHCP, Capability.SECURITY_GROUPS, Capability.ROUTING,
                Capability.LOAD_BALANCING, Capability.DNS);
    }

    @Override
    public String description() {
        return "OVN (QuantumNet)";
    }

    /** Synchronized: address allocation and the overlap check read NB, then write it. */
    @Override
    public synchronized void ensure(NetworkSpec network) {
        check(network);
        nb.ensureNetwork(network);
    }

    @Override
    public synchronized void remove(NetworkSpec network) {
        nb.removeNetwork(network);
    }

    @Override
    public NicBinding createPort(NetworkSpec network, String portId, String mac) {
        throw new QuantixException(ErrorCode.INTERNAL, "the ovn driver needs the VM's name for a port");
    }

    @Override
    public synchronized NicBinding createPort(NetworkSpec network, PortSpec port) {
        check(network);
        NicBinding binding = new NicBinding.OpenVSwitch(bridge, port.id());
        nb.createPort(network, port);
        return binding;
    }

    @Override
    public synchronized void updatePort(NetworkSpec network, PortSpec port) {
        nb.updatePort(port);
    }

    @Override
    public synchronized void ensureSecurityGroup(SecurityGroup group) {
        nb.securityGroups().ensure(group);
    }

    @Override
    public synchronized void removeSecurityGroup(String name) {
        nb.securityGroups().remove(name);
    }

    /**
     * Removes what Quantix deleted while the driver was away, then ensures every definition: no duplicates, no
     * leftovers of deletions. Quantix rows that are neither defined nor deleted are only logged: the definitions
     * may not be loaded yet, and deleting them would cut every VM off its network.
     */
    @Override
    public synchronized void reconcile(Reconciliation state) {
        state.networks().forEach(OvnNetworkDriver::check);
        state.deletedRouters().forEach(routers::remove);
        nb.removeNetworks(state.deletedNetworks());
        state.networks().forEach(nb::ensureNetwork);
        state.deletedGroups().forEach(nb.securityGroups()::remove);
        state.groups().forEach(nb.securityGroups()::ensure);
        state.routers().forEach(r -> routers.ensure(r, state.networks()));
        logUnknown("networks", nb.networkNames(), state.networks().stream().map(NetworkSpec::name));
        logUnknown("security groups", nb.securityGroups().names(), state.groups().stream().map(SecurityGroup::name));
        logUnknown("routers", routers.names(), state.routers().stream().map(Router::name));
    }

    private static void logUnknown(String what, Set<String> inNb, Stream<String> defined) {
        Set<String> unknown = new TreeSet<>(inNb);
        defined.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            LOG.warn("OVN Northbound has Quantix {} that are not defined (kept; delete them through Quantix if they are stale): {}",
                    what, unknown);
        }
    }

    @Override
    public synchronized void ensureRouter(Router router, List<NetworkSpec> networks) {
        networks.forEach(OvnNetworkDriver::check);
        routers.ensure(router, networks);
    }

    @Override
    public synchronized void removeRouter(String name) {
        routers.remove(name);
    }

    @Override
    public Optional<String> portAddress(NetworkSpec network, String portId) {
        return nb.port(portId).flatMap(OvnNorthbound.Port::ip);
    }

    @Override
    public synchronized void deletePort(NetworkSpec network, String portId) {
        nb.deletePort(network, portId);
    }

    private static void check(NetworkSpec network) {
        if (network.type() == NetworkType.BRIDGE) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "network " + Validation.quote(network.name())
                    + " is a BRIDGE network; the ovn driver serves OVERLAY and VLAN networks: use the bridge driver");
        }
    }
}
