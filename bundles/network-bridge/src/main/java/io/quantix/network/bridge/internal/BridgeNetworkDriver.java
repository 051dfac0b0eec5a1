package io.quantix.network.bridge.internal;

import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.spi.NetworkDriver;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridged networks: VMs are plugged into a Linux bridge on the host. A bridge this driver creates carries
 * the alias {@code quantix:<network>}; that alias is the only proof of ownership, so a bridge someone else
 * made is used but never changed or deleted.
 */
@Component(service = NetworkDriver.class, property = "quantix.backend=bridge")
public class BridgeNetworkDriver implements NetworkDriver {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeNetworkDriver.class);
    private static final String ALIAS_PREFIX = "quantix:";

    private final IpLinks ip;

    public BridgeNetworkDriver() {
        this(List.of("ip"));
    }

    /** @param ip the command that runs {@code ip}; tests add {@code -n <netns>} to stay off the host's links */
    BridgeNetworkDriver(List<String> ip) {
        this.ip = new IpLinks(ip);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.BRIDGE);
    }

    @Override
    public String description() {
        return "Linux bridge";
    }

    /** Synchronized so two ensures of one network cannot both try to add the bridge. */
    @Override
    public synchronized void ensure(NetworkSpec network) {
        String bridge = bridgeName(network);
        Optional<IpLinks.Link> existing = ip.find(bridge);
        if (existing.isEmpty()) {
            create(bridge, network);
            return;
        }
        IpLinks.Link link = existing.get();
        if (!link.isBridge()) {
            throw QuantixException.invalid("link " + Validation.quote(bridge) + " exists but is "
                    + link.kind().map(k -> "a " + k + " link").orElse("not a bridge") + ": network "
                    + Validation.quote(network.name()) + " needs a bridge");
        }
        Optional<String> owner = owner(link);
        if (owner.isPresent() && !owner.get().equals(network.name())) {
            throw new QuantixException(ErrorCode.CONFLICT, "bridge " + Validation.quote(bridge)
                    + " belongs to network " + Validation.quote(owner.get()));
        }
        if (owner.isPresent() && !link.up()) {
            ip.setUp(bridge);
            LOG.info("Set bridge {} of network {} up again", bridge, network.name());
        } else if (!link.up()) {
            LOG.warn("Bridge {} of network {} is down; it is not Quantix's, so it is left as it is", bridge,
                    network.name());
        }
    }

    @Override
    public synchronized void remove(NetworkSpec network) {
        String bridge = bridgeName(network);
        Optional<IpLinks.Link> link = ip.find(bridge);
        if (link.isEmpty()) {
            return;
        }
        if (!link.get().isBridge() || !owner(link.get()).equals(Optional.of(network.name()))) {
            LOG.info("Leaving {} in place: Quantix did not create it for network {}", bridge, network.name());
            return;
        }
        // deleting the bridge would silently cut off whatever is still plugged in
        List<String> ports = ip.ports(bridge);
        if (!ports.isEmpty()) {
            throw new QuantixException(ErrorCode.CONFLICT, "bridge " + Validation.quote(bridge) + " of network "
                    + Validation.quote(network.name()) + " still has ports " + ports);
        }
        ip.delete(bridge);
        LOG.info("Deleted bridge {} of network {}", bridge, network.name());
    }

    @Override
    public NicBinding createPort(NetworkSpec network, String portId, String mac) {
        return new NicBinding.Bridge(bridgeName(network));
    }

    @Override
    public void deletePort(NetworkSpec network, String portId) {
        // libvirt creates the tap when it starts the VM and deletes it when the VM stops; no host state here
    }

    private void create(String bridge, NetworkSpec network) {
        ip.addBridge(bridge);
        try {
            ip.setAlias(bridge, ALIAS_PREFIX + network.name());
            ip.setUp(bridge);
        } catch (QuantixException e) {
            // without its alias the bridge would look like a user's and never be cleaned up
            try {
                ip.delete(bridge);
            } catch (QuantixException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LOG.info("Created bridge {} for network {}", bridge, network.name());
    }

    private static Optional<String> owner(IpLinks.Link link) {
        return link.alias().filter(a -> a.startsWith(ALIAS_PREFIX)).map(a -> a.substring(ALIAS_PREFIX.length()));
    }

    private static String bridgeName(NetworkSpec network) {
        if (network.type() != NetworkType.BRIDGE) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "network " + Validation.quote(network.name())
                    + " is a " + network.type() + " network; the bridge driver serves BRIDGE networks only:"
                    + " use the ovn driver");
        }
        return network.bridge().orElseGet(() -> BridgeNames.derive(network.name()));
    }
}
