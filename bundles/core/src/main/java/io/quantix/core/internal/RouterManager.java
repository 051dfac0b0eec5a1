package io.quantix.core.internal;

import io.quantix.api.Capability;
import io.quantix.api.NetworkSpec;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.Validation;
import io.quantix.api.service.RouterService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Routers: definitions in Config Admin ({@code etc/io.quantix.router~<name>.cfg}), served by the one driver
 * of the networks they connect. The driver is asked first; the definition is stored only once it succeeded.
 */
@Component(service = {RouterService.class, RouterManager.class})
public class RouterManager implements RouterService {
    static final String FACTORY_PID = "io.quantix.router";

    private final BackendRegistry backends;
    private final Events events;
    private final NetworkManager networks;
    private final DefinitionStore<Router> store;
    private final NetworkTombstones tombstones;

    @Activate
    public RouterManager(@Reference BackendRegistry backends, @Reference Events events, @Reference NetworkManager networks,
            @Reference ConfigurationAdmin configAdmin, @Reference NetworkTombstones tombstones) {
        this.backends = backends;
        this.tombstones = tombstones;
        this.events = events;
        this.networks = networks;
        this.store = store(configAdmin);
    }

    /** The router definitions in Config Admin; {@link NetworkManager} reads them too, as it cannot refer to this component. */
    static DefinitionStore<Router> store(ConfigurationAdmin configAdmin) {
        return new DefinitionStore<>(configAdmin, FACTORY_PID, RouterManager::decode, RouterManager::encode);
    }

    @Override
    public List<Router> list() {
        return store.list().stream().sorted(Comparator.comparing(Router::name)).toList();
    }

    @Override
    public Router get(String name) {
        Validation.name("router", name);
        return store.find(name, Router::name).orElseThrow(() -> QuantixException.notFound("router", name));
    }

    @Override
    public synchronized Router put(Router router) {
        List<NetworkSpec> specs = specs(router);
        String driver = specs.get(0).driver();
        if (specs.stream().anyMatch(s -> !s.driver().equals(driver))) {
            throw QuantixException.invalid("router " + Validation.quote(router.name()) + " connects networks of different drivers");
        }
        boolean existed = store.find(router.name(), Router::name).isPresent();
        backends.networks.require(driver, Capability.ROUTING).ensureRouter(router, specs);
        tombstones.defined(NetworkTombstones.Kind.ROUTER, router.name());
        store.save(router.name(), router);
        events.publish(QuantixEvent.Kind.NETWORK, existed ? "ROUTER_UPDATED" : "ROUTER_CREATED", router.name(),
                "router on " + String.join(", ", router.networks()));
        return router;
    }

    @Override
    public synchronized void delete(String name) {
        Router router = get(name);
        backends.networks.require(networks.spec(router.networks().get(0)).driver(), Capability.ROUTING).removeRouter(name);
        tombstones.deleted(NetworkTombstones.Kind.ROUTER, name, backends.networks.snapshot().keySet());
        store.delete(name);
        events.publish(QuantixEvent.Kind.NETWORK, "ROUTER_DELETED", name, "router deleted");
    }

    /** The specs of the router's networks, uplink included; NOT_FOUND for one that does not exist. */
    List<NetworkSpec> specs(Router router) {
        return Stream.concat(router.networks().stream(), router.uplink().map(Router.Uplink::network).stream())
                .map(networks::spec).toList();
    }

    static Router decode(Map<String, String> p) {
        Optional<Router.Uplink> uplink = Optional.ofNullable(p.get("uplink.network"))
                .map(n -> new Router.Uplink(n, p.get("uplink.address"), Boolean.parseBoolean(p.get("uplink.snat"))));
        List<Router.FloatingIp> fips = new ArrayList<>();
        for (int i = 0; p.containsKey("fip." + i + ".address"); i++) {
            fips.add(new Router.FloatingIp(p.get("fip." + i + ".address"), p.get("fip." + i + ".vm")));
        }
        List<Router.LoadBalancer> lbs = new ArrayList<>();
        for (int i = 0; p.containsKey("lb." + i + ".name"); i++) {
            String k = "lb." + i + ".";
            lbs.add(new Router.LoadBalancer(p.get(k + "name"), Router.Protocol.valueOf(p.get(k + "protocol")), p.get(k + "vip"),
                    Integer.parseInt(p.get(k + "port")), Stream.of(p.get(k + "members").split(",")).map(Router.Member::parse).toList()));
        }
        return new Router(p.get(DefinitionStore.NAME), List.of(p.get("networks").split(",")), uplink, fips, lbs);
    }

    static Map<String, String> encode(Router r) {
        Map<String, String> p = new HashMap<>();
        p.put("networks", String.join(",", r.networks()));
        r.uplink().ifPresent(u -> {
            p.put("uplink.network", u.network());
            p.put("uplink.address", u.address());
            p.put("uplink.snat", Boolean.toString(u.snat()));
        });
        for (int i = 0; i < r.floatingIps().size(); i++) {
            p.put("fip." + i + ".address", r.floatingIps().get(i).address());
            p.put("fip." + i + ".vm", r.floatingIps().get(i).vm());
        }
        for (int i = 0; i < r.loadBalancers().size(); i++) {
            Router.LoadBalancer lb = r.loadBalancers().get(i);
            String k = "lb." + i + ".";
            p.put(k + "name", lb.name());
            p.put(k + "protocol", lb.protocol().name());
            p.put(k + "vip", lb.vip());
            p.put(k + "port", Integer.toString(lb.port()));
            p.put(k + "members", String.join(",", lb.members().stream().map(Router.Member::toString).toList()));
        }
        return p;
    }
}
