package io.quantix.network.ovn.internal;

import static io.quantix.network.ovn.internal.OvsdbClient.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.Validation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Routers as OVN Logical_Routers {@code qx-r-<router>}: one router port per network with the network's
 * gateway address (and its peer switch port of type router), an uplink port bound to the gateway chassis
 * (NAT needs one), NAT rows for SNAT (one per network behind the router) and floating IPs
 * (dnat_and_snat to the VM's port address), and Load_Balancers on the router and on its networks' switches
 * (so that VMs on those networks reach the VIP too). A router is written as a whole, replacing what it was,
 * in one transaction.
 */
final class OvnRouters {
    static final String ROUTER = "quantix:router";
    private static final String LR = "Logical_Router";
    private static final String LS = "Logical_Switch";
    private static final String LSP = "Logical_Switch_Port";
    private static final String LB = "Load_Balancer";

    private final OvnNorthbound nb;
    private final Optional<String> gatewayChassis;

    OvnRouters(OvnNorthbound nb, Optional<String> gatewayChassis) {
        this.nb = nb;
        this.gatewayChassis = gatewayChassis;
    }

    static String routerName(String router) {
        return "qx-r-" + router;
    }

    static String portName(String router, String network) {
        return "qx-r-" + router + "-" + network;
    }

    void ensure(Router router, List<NetworkSpec> specs) {
        Map<String, NetworkSpec> byName = specs.stream().collect(Collectors.toMap(NetworkSpec::name, s -> s));
        List<ObjectNode> ops = removal(router.name());
        List<JsonNode> routerPorts = new ArrayList<>();
        List<JsonNode> nats = new ArrayList<>();
        for (String network : router.networks()) {
            NetworkSpec spec = routed(router, byName, network);
            String gateway = spec.gateway().orElseThrow(() -> QuantixException.invalid("network " + Validation.quote(network)
                    + " has no gateway address for router " + Validation.quote(router.name())));
            routerPorts.add(port(router.name(), spec, gateway, false, ops));
            router.uplink().filter(Router.Uplink::snat).ifPresent(u -> nats.add(nat("snat", u.address(), spec.cidr().orElseThrow(), router, ops)));
        }
        router.uplink().ifPresent(u -> {
            NetworkSpec spec = routed(router, byName, u.network());
            if (!NetworkSpec.contains(spec.cidr().orElseThrow(), u.address())) {
                throw QuantixException.invalid("uplink address " + u.address() + " is not inside " + spec.cidr().get()
                        + " of network " + Validation.quote(u.network()));
            }
            routerPorts.add(port(router.name(), spec, u.address(), true, ops));
        });
        for (Router.FloatingIp fip : router.floatingIps()) {
            nats.add(nat("dnat_and_snat", fip.address(), vmAddress(router, fip.vm()), router, ops));
        }
        List<JsonNode> lbs = new ArrayList<>();
        for (Router.LoadBalancer lb : router.loadBalancers()) {
            ObjectNode row = JSON.createObjectNode().put("name", routerName(router.name()) + "-" + lb.name())
                    .put("protocol", lb.protocolName());
            row.set("vips", Ovsdb.map(Map.of(lb.vip() + ":" + lb.port(),
                    lb.members().stream().map(Router.Member::toString).collect(Collectors.joining(",")))));
            row.set("external_ids", Ovsdb.map(Map.of(ROUTER, router.name())));
            String id = "lb" + ops.size();
            ops.add(Ovsdb.insert(LB, row, id));
            lbs.add(Ovsdb.namedUuid(id));
        }
        if (!lbs.isEmpty()) {
            for (String network : router.networks()) {
                ops.add(Ovsdb.mutate(LS, Ovsdb.byName(OvnNorthbound.switchName(network)), "load_balancer", "insert", Ovsdb.set(lbs)));
            }
        }
        ObjectNode lr = JSON.createObjectNode().put("name", routerName(router.name()));
        lr.set("ports", Ovsdb.set(routerPorts));
        lr.set("nat", Ovsdb.set(nats));
        lr.set("load_balancer", Ovsdb.set(lbs));
        lr.set("external_ids", Ovsdb.map(Map.of(ROUTER, router.name())));
        ops.add(Ovsdb.insert(LR, lr, "lr"));
        nb.client().transact(OvnNorthbound.DB, ops);
    }

    void remove(String router) {
        List<ObjectNode> ops = removal(router);
        if (!ops.isEmpty()) {
            nb.client().transact(OvnNorthbound.DB, ops);
        }
    }

    /** The Quantix routers NB has. */
    Set<String> names() {
        return nb.owners(LR, ROUTER);
    }

    /**
     * Everything the router owns: its switch-side ports and load balancers are unhooked from the switches
     * first, since OVSDB refuses to delete a row something still refers to.
     */
    private List<ObjectNode> removal(String router) {
        List<ObjectNode> ops = new ArrayList<>();
        List<String> ports = nb.rows(LSP, Ovsdb.tagged(ROUTER, router), "_uuid").stream().map(Ovsdb::uuidOf).toList();
        List<String> lbs = nb.rows(LB, Ovsdb.tagged(ROUTER, router), "_uuid").stream().map(Ovsdb::uuidOf).toList();
        if (ports.isEmpty() && lbs.isEmpty() && nb.rows(LR, Ovsdb.tagged(ROUTER, router), "_uuid").isEmpty()) {
            return ops;
        }
        for (JsonNode ls : nb.rows(LS, Ovsdb.where(), "_uuid", "ports", "load_balancer")) {
            List<JsonNode> p = Ovsdb.strings(ls.get("ports")).stream().filter(ports::contains).map(u -> (JsonNode) Ovsdb.uuid(u)).toList();
            List<JsonNode> l = Ovsdb.strings(ls.get("load_balancer")).stream().filter(lbs::contains).map(u -> (JsonNode) Ovsdb.uuid(u)).toList();
            if (!p.isEmpty()) {
                ops.add(Ovsdb.mutate(LS, Ovsdb.byUuid(Ovsdb.uuidOf(ls)), "ports", "delete", Ovsdb.set(p)));
            }
            if (!l.isEmpty()) {
                ops.add(Ovsdb.mutate(LS, Ovsdb.byUuid(Ovsdb.uuidOf(ls)), "load_balancer", "delete", Ovsdb.set(l)));
            }
        }
        ops.add(Ovsdb.delete(LR, Ovsdb.tagged(ROUTER, router)));
        ops.add(Ovsdb.delete(LB, Ovsdb.tagged(ROUTER, router)));
        return ops;
    }

    private static NetworkSpec routed(Router router, Map<String, NetworkSpec> specs, String network) {
        NetworkSpec spec = specs.get(network);
        if (spec == null) {
            throw QuantixException.notFound("network", network);
        }
        if (spec.cidr().isEmpty()) {
            throw QuantixException.invalid("network " + Validation.quote(network) + " has no subnet to route for router "
                    + Validation.quote(router.name()));
        }
        return spec;
    }

    /** A router port with its address on the network, and the switch port that peers with it. */
    private JsonNode port(String router, NetworkSpec spec, String address, boolean uplink, List<ObjectNode> ops) {
        String name = portName(router, spec.name());
        String prefix = spec.cidr().orElseThrow().substring(spec.cidr().get().indexOf('/'));
        ObjectNode lrp = JSON.createObjectNode().put("name", name).put("mac", OvnNorthbound.stableMac("lrp:" + name));
        lrp.set("networks", Ovsdb.stringSet(List.of(address + prefix)));
        lrp.set("external_ids", Ovsdb.map(Map.of(ROUTER, router)));
        if (uplink && gatewayChassis.isPresent()) {
            ObjectNode gw = JSON.createObjectNode().put("name", name + "-" + gatewayChassis.get())
                    .put("chassis_name", gatewayChassis.get()).put("priority", 1);
            String gwId = "gw" + ops.size();
            ops.add(Ovsdb.insert("Gateway_Chassis", gw, gwId));
            lrp.set("gateway_chassis", Ovsdb.set(List.of(Ovsdb.namedUuid(gwId))));
        }
        String lrpId = "lrp" + ops.size();
        ops.add(Ovsdb.insert("Logical_Router_Port", lrp, lrpId));
        ObjectNode lsp = JSON.createObjectNode().put("name", name + "-peer").put("type", "router");
        lsp.set("addresses", Ovsdb.stringSet(List.of("router")));
        lsp.set("options", Ovsdb.map(Map.of("router-port", name)));
        lsp.set("external_ids", Ovsdb.map(Map.of(ROUTER, router)));
        String lspId = "rsp" + ops.size();
        ops.add(Ovsdb.insert(LSP, lsp, lspId));
        ops.add(Ovsdb.mutate(LS, Ovsdb.byName(OvnNorthbound.switchName(spec.name())), "ports", "insert",
                Ovsdb.set(List.of(Ovsdb.namedUuid(lspId)))));
        return Ovsdb.namedUuid(lrpId);
    }

    private static JsonNode nat(String type, String external, String logical, Router router, List<ObjectNode> ops) {
        ObjectNode nat = JSON.createObjectNode().put("type", type).put("external_ip", external).put("logical_ip", logical);
        nat.set("external_ids", Ovsdb.map(Map.of(ROUTER, router.name())));
        String id = "nat" + ops.size();
        ops.add(Ovsdb.insert("NAT", nat, id));
        return Ovsdb.namedUuid(id);
    }

    /** The address of the VM's port on one of the router's networks. */
    private String vmAddress(Router router, String vm) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String network : router.networks()) {
            nb.ports(network).stream().filter(p -> p.vm().equals(vm) && p.ip().isPresent())
                    .forEach(p -> found.put(network, p.ip().get()));
        }
        if (found.isEmpty()) {
            throw new QuantixException(ErrorCode.NOT_FOUND, "VM " + Validation.quote(vm)
                    + " has no NIC with an address on the networks of router " + Validation.quote(router.name()));
        }
        return found.values().iterator().next();
    }
}
