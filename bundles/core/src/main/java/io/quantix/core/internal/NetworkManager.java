package io.quantix.core.internal;

import io.quantix.api.Availability;
import io.quantix.api.ErrorCode;
import io.quantix.api.Network;
import io.quantix.api.NetworkPort;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.Validation;
import io.quantix.api.service.NetworkService;
import io.quantix.api.spi.NetworkDriver;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Networks (definitions in Config Admin) and the ports VMs plug into (on the network's driver). */
@Component(service = {NetworkService.class, NetworkManager.class})
public class NetworkManager implements NetworkService {
    static final String FACTORY_PID = "io.quantix.network";

    private final BackendRegistry backends;
    private final Events events;
    private final DefinitionStore<NetworkSpec> store;
    private final VmInventory inventory;
    private final NetworkTombstones tombstones;
    /** Read-only: RouterManager refers to this component, so asking it back would make a reference cycle. */
    private final DefinitionStore<Router> routers;

    @Activate
    public NetworkManager(@Reference BackendRegistry backends, @Reference Events events,
            @Reference ConfigurationAdmin configAdmin, @Reference VmInventory inventory, @Reference NetworkTombstones tombstones) {
        this.inventory = inventory;
        this.tombstones = tombstones;
        this.routers = RouterManager.store(configAdmin);
        this.backends = backends;
        this.events = events;
        this.store = new DefinitionStore<>(configAdmin, FACTORY_PID, NetworkManager::decode, NetworkManager::encode);
    }

    @Override
    public List<Network> list() {
        return store.list().stream().map(this::withStatus).sorted(Comparator.comparing(Network::name)).toList();
    }

    @Override
    public Network get(String name) {
        return withStatus(spec(name));
    }

    @Override
    public synchronized Network create(NetworkSpec spec) {
        if (store.find(spec.name(), NetworkSpec::name).isPresent()) {
            throw QuantixException.alreadyExists("network", spec.name());
        }
        backends.networks.require(spec.driver()).ensure(spec);
        tombstones.defined(NetworkTombstones.Kind.NETWORK, spec.name());
        store.save(spec.name(), spec);
        events.publish(QuantixEvent.Kind.NETWORK, "CREATED", spec.name(), "network created on driver " + spec.driver());
        return new Network(spec, Availability.AVAILABLE, Optional.empty());
    }

    @Override
    public synchronized void delete(String name) {
        NetworkSpec spec = spec(name);
        inventory.list().stream()
                .filter(vm -> vm.nics().stream().anyMatch(n -> n.network().equals(name))).findFirst()
                .ifPresent(vm -> {
                    throw new QuantixException(ErrorCode.CONFLICT, "network '" + name + "' is used by VM '" + vm.name() + "'");
                });
        routers.list().stream()
                .filter(r -> r.networks().contains(name) || r.uplink().filter(u -> u.network().equals(name)).isPresent())
                .findFirst().ifPresent(r -> {
                    throw new QuantixException(ErrorCode.CONFLICT, "network '" + name + "' is used by router '" + r.name() + "'");
                });
        backends.networks.require(spec.driver()).remove(spec);
        tombstones.deleted(NetworkTombstones.Kind.NETWORK, name, backends.networks.snapshot().keySet());
        store.delete(name);
        events.publish(QuantixEvent.Kind.NETWORK, "DELETED", name, "network deleted");
    }

    @Override
    public List<NetworkPort> ports(Optional<String> network) {
        network.ifPresent(this::spec);
        Map<String, Network> known = new HashMap<>();
        list().forEach(n -> known.put(n.name(), n));
        return inventory.list().stream().flatMap(vm -> vm.nics().stream()
                .filter(nic -> network.map(nic.network()::equals).orElse(true))
                .map(nic -> new NetworkPort(nic.network(), nic.portId(), vm.name(), nic.mac(),
                        address(known.get(nic.network()), nic.portId()))))
                .sorted(Comparator.comparing(NetworkPort::network).thenComparing(NetworkPort::vm))
                .toList();
    }

    /** Empty when the network or its driver is gone: listing ports never fails for one unavailable network. */
    private Optional<String> address(Network network, String portId) {
        if (network == null || network.status() != Availability.AVAILABLE) {
            return Optional.empty();
        }
        return backends.networks.find(network.spec().driver()).flatMap(d -> d.portAddress(network.spec(), portId));
    }

    NicBinding createPort(String network, PortSpec port) {
        NetworkSpec spec = spec(network);
        return backends.networks.require(spec.driver()).createPort(spec, port);
    }

    /** The VM's tags changed: the port follows (e.g. into other security groups). */
    void updatePort(String network, PortSpec port) {
        NetworkSpec spec = spec(network);
        backends.networks.require(spec.driver()).updatePort(spec, port);
    }

    /** The driver of the network: NOT_FOUND without the network, BACKEND_UNAVAILABLE without its driver. */
    NetworkDriver driver(String network) {
        return backends.networks.require(spec(network).driver());
    }

    void deletePort(String network, String portId) {
        NetworkSpec spec = spec(network);
        backends.networks.require(spec.driver()).deletePort(spec, portId);
    }

    NetworkSpec spec(String name) {
        Validation.name("network", name);
        return store.find(name, NetworkSpec::name).orElseThrow(() -> QuantixException.notFound("network", name));
    }

    private Network withStatus(NetworkSpec spec) {
        return backends.networks.find(spec.driver())
                .map(d -> new Network(spec, Availability.AVAILABLE, Optional.empty()))
                .orElseGet(() -> new Network(spec, Availability.UNAVAILABLE,
                        Optional.of("network driver '" + spec.driver() + "' is not installed")));
    }

    private static NetworkSpec decode(Map<String, String> p) {
        return new NetworkSpec(p.get(DefinitionStore.NAME), p.get("driver"),
                NetworkType.valueOf(Validation.required("network type", p.get("type")).toUpperCase(Locale.ROOT)),
                Optional.ofNullable(p.get("cidr")), Optional.ofNullable(p.get("gateway")),
                Boolean.parseBoolean(p.get("dhcp")),
                p.containsKey("vlan") ? OptionalInt.of(Integer.parseInt(p.get("vlan"))) : OptionalInt.empty(),
                Optional.ofNullable(p.get("bridge")));
    }

    private static Map<String, String> encode(NetworkSpec spec) {
        Map<String, String> p = new HashMap<>();
        p.put("driver", spec.driver());
        p.put("type", spec.type().name());
        p.put("dhcp", Boolean.toString(spec.dhcp()));
        spec.cidr().ifPresent(v -> p.put("cidr", v));
        spec.gateway().ifPresent(v -> p.put("gateway", v));
        spec.vlanId().ifPresent(v -> p.put("vlan", Integer.toString(v)));
        spec.bridge().ifPresent(v -> p.put("bridge", v));
        return p;
    }
}
