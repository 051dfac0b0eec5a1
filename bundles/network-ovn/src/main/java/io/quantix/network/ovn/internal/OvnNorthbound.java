package io.quantix.network.ovn.internal;

import static io.quantix.network.ovn.internal.OvsdbClient.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Quantix networks and ports as OVN Northbound rows. Every row Quantix owns carries
 * {@code external_ids:quantix:network=<name>}; that mark, not a name pattern, is what the driver reads back,
 * reconciles and deletes, so NB rows made by anyone else are never touched.
 *
 * <ul>
 *   <li>a network is a Logical_Switch {@code qx-<network>} (Geneve between chassis for overlay networks);
 *       a VLAN network adds a localnet port {@code qx-<network>-localnet} with the VLAN tag on the physical
 *       network named by the spec's {@code bridge} (default {@code physnet}, an ovn-bridge-mappings name);</li>
 *   <li>DHCPv4 is one DHCP_Options row per network, referenced by each of its ports;</li>
 *   <li>a port is a Logical_Switch_Port named by its UUID, with {@code "<mac> <ip>"} as address and port
 *       security, the IP chosen here (lowest free, never the network, broadcast or gateway address).</li>
 * </ul>
 */
final class OvnNorthbound {
    static final String DB = "OVN_Northbound";
    static final String NETWORK = "quantix:network";
    static final String CIDR = "quantix:cidr";
    static final String VM = "quantix:vm";
    static final String TAGS = "quantix:tags";
    static final String DEFAULT_PHYSNET = "physnet";
    private static final String LS = "Logical_Switch";
    private static final String LSP = "Logical_Switch_Port";
    private static final String DHCP = "DHCP_Options";

    /** A port as NB has it. */
    record Port(String id, String network, String vm, String mac, Optional<String> ip, List<String> tags, boolean up) {
    }

    private final OvsdbClient nb;
    private final OvnSecurityGroups securityGroups;

    OvnNorthbound(OvsdbClient nb) {
        this.nb = nb;
        this.securityGroups = new OvnSecurityGroups(this);
    }

    OvnSecurityGroups securityGroups() {
        return securityGroups;
    }

    OvsdbClient client() {
        return nb;
    }

    static String switchName(String network) {
        return "qx-" + network;
    }

    static String localnetName(String network) {
        return "qx-" + network + "-localnet";
    }

    /** Creates the network's switch, localnet port and DHCP options, or brings them back to the spec. */
    void ensureNetwork(NetworkSpec spec) {
        Optional<Ipv4Subnet> subnet = spec.cidr().map(c -> Ipv4Subnet.of(spec));
        List<JsonNode> switches = rows(LS, Ovsdb.where(), "_uuid", "name", "external_ids");
        Optional<JsonNode> existing = Optional.empty();
        for (JsonNode ls : switches) {
            Map<String, String> ids = Ovsdb.stringMap(ls.get("external_ids"));
            String owner = ids.get(NETWORK);
            if (owner == null) {
                continue;
            }
            if (owner.equals(spec.name())) {
                existing = Optional.of(ls);
            } else if (subnet.isPresent() && ids.containsKey(CIDR)) {
                String other = ids.get(CIDR);
                if (subnet.get().overlaps(Ipv4Subnet.parse(other))) {
                    throw QuantixException.invalid("CIDR " + spec.cidr().get() + " of network " + Validation.quote(spec.name())
                            + " overlaps " + other + " of network " + Validation.quote(owner));
                }
            }
        }
        List<ObjectNode> ops = new ArrayList<>();
        JsonNode dhcpRef = dhcpOptions(spec, subnet, ops);

        ObjectNode sw = JSON.createObjectNode().put("name", switchName(spec.name()));
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(NETWORK, spec.name());
        spec.cidr().ifPresent(c -> ids.put(CIDR, c));
        sw.set("external_ids", Ovsdb.map(ids));
        Optional<String> localnetUuid = rows(LSP, Ovsdb.byName(localnetName(spec.name())), "_uuid").stream()
                .map(Ovsdb::uuidOf).findFirst();
        if (existing.isEmpty()) {
            List<JsonNode> ports = new ArrayList<>();
            if (spec.type() == NetworkType.VLAN) {
                ops.add(Ovsdb.insert(LSP, localnet(spec), "ln"));
                ports.add(Ovsdb.namedUuid("ln"));
            }
            sw.set("ports", Ovsdb.set(ports));
            ops.add(Ovsdb.insert(LS, sw, "ls"));
        } else {
            ArrayNode where = Ovsdb.byUuid(Ovsdb.uuidOf(existing.get()));
            ops.add(Ovsdb.update(LS, where, sw));
            if (spec.type() == NetworkType.VLAN && localnetUuid.isPresent()) {
                ops.add(Ovsdb.update(LSP, Ovsdb.byUuid(localnetUuid.get()), localnet(spec)));
            } else if (spec.type() == NetworkType.VLAN) {
                ops.add(Ovsdb.insert(LSP, localnet(spec), "ln"));
                ops.add(Ovsdb.mutate(LS, where, "ports", "insert", Ovsdb.set(List.of(Ovsdb.namedUuid("ln")))));
            } else if (localnetUuid.isPresent()) {
                ops.add(Ovsdb.mutate(LS, where, "ports", "delete", Ovsdb.set(List.of(Ovsdb.uuid(localnetUuid.get())))));
            }
            // the ports follow the network's DHCP options (none, or the row just written)
            ObjectNode portDhcp = JSON.createObjectNode();
            portDhcp.set("dhcpv4_options", dhcpRef);
            ops.add(Ovsdb.update(LSP, vmPorts(spec.name()), portDhcp));
        }
        nb.transact(DB, ops);
    }

    /** Adds the operations that make the DHCP options match the spec; answers the reference ports take. */
    private JsonNode dhcpOptions(NetworkSpec spec, Optional<Ipv4Subnet> subnet, List<ObjectNode> ops) {
        List<JsonNode> existing = rows(DHCP, Ovsdb.tagged(NETWORK, spec.name()), "_uuid");
        if (!spec.dhcp() || subnet.isEmpty()) {
            if (!existing.isEmpty()) {
                ObjectNode none = JSON.createObjectNode();
                none.set("dhcpv4_options", Ovsdb.set(List.of()));
                ops.add(Ovsdb.update(LSP, vmPorts(spec.name()), none));
                ops.add(Ovsdb.delete(DHCP, Ovsdb.tagged(NETWORK, spec.name())));
            }
            return Ovsdb.set(List.of());
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("server_id", subnet.get().serverAddress(spec));
        options.put("server_mac", serverMac(spec.name()));
        options.put("lease_time", "3600");
        spec.gateway().ifPresent(g -> options.put("router", g));
        // OVN answers DNS queries for the network's records itself; the gateway is the address VMs can reach
        spec.gateway().ifPresent(g -> options.put("dns_server", g));
        ObjectNode row = JSON.createObjectNode().put("cidr", subnet.get().cidr());
        row.set("options", Ovsdb.map(options));
        row.set("external_ids", Ovsdb.map(Map.of(NETWORK, spec.name())));
        if (existing.isEmpty()) {
            ops.add(Ovsdb.insert(DHCP, row, "dhcp"));
            return Ovsdb.namedUuid("dhcp");
        }
        String uuid = Ovsdb.uuidOf(existing.get(0));
        ops.add(Ovsdb.update(DHCP, Ovsdb.byUuid(uuid), row));
        // more than one would be a leftover of an interrupted change: keep the first
        existing.stream().skip(1).forEach(r -> ops.add(Ovsdb.delete(DHCP, Ovsdb.byUuid(Ovsdb.uuidOf(r)))));
        return Ovsdb.uuid(uuid);
    }

    private static ObjectNode localnet(NetworkSpec spec) {
        ObjectNode row = JSON.createObjectNode().put("name", localnetName(spec.name())).put("type", "localnet");
        row.set("addresses", Ovsdb.stringSet(List.of("unknown")));
        row.set("options", Ovsdb.map(Map.of("network_name", spec.bridge().orElse(DEFAULT_PHYSNET))));
        row.put("tag", spec.vlanId().orElseThrow());
        row.set("external_ids", Ovsdb.map(Map.of(NETWORK, spec.name())));
        return row;
    }

    /** The ports of VMs on the network (not its localnet port): they carry the VM's name. */
    private static ArrayNode vmPorts(String network) {
        ArrayNode where = Ovsdb.tagged(NETWORK, network);
        where.add(Ovsdb.cond("type", "==", JSON.getNodeFactory().textNode("")));
        return where;
    }

    /** Deletes the network's switch (its ports go with it), DHCP options and DNS row. */
    void removeNetwork(NetworkSpec spec) {
        removeNetworks(Set.of(spec.name()));
    }

    /** Deletes the switches, DHCP options and DNS rows of these Quantix networks, in one transaction. */
    void removeNetworks(Set<String> names) {
        List<ObjectNode> ops = new ArrayList<>();
        for (String name : names) {
            for (String table : List.of(LS, DHCP, "DNS")) {
                ops.add(Ovsdb.delete(table, Ovsdb.tagged(NETWORK, name)));
            }
        }
        if (!ops.isEmpty()) {
            nb.transact(DB, ops);
        }
    }

    /** The Quantix networks NB has a switch for. */
    Set<String> networkNames() {
        return owners(LS, NETWORK);
    }

    /** The values of one Quantix mark over a table's rows. */
    Set<String> owners(String table, String mark) {
        Set<String> out = new TreeSet<>();
        rows(table, Ovsdb.where(), "external_ids").forEach(r -> {
            String owner = Ovsdb.stringMap(r.get("external_ids")).get(mark);
            if (owner != null) {
                out.add(owner);
            }
        });
        return out;
    }

    /** Creates the port with an address of its own (idempotent: an existing port is kept as it is). */
    Port createPort(NetworkSpec spec, PortSpec port) {
        Optional<Port> existing = port(port.id());
        if (existing.isPresent()) {
            return existing.get();
        }
        if (rows(LS, Ovsdb.byName(switchName(spec.name())), "_uuid").isEmpty()) {
            ensureNetwork(spec);
        }
        Optional<String> ip = spec.cidr().map(c -> Ipv4Subnet.of(spec).allocate(spec, addressesInUse(spec)));
        String address = port.mac() + ip.map(a -> " " + a).orElse("");
        ObjectNode row = JSON.createObjectNode().put("name", port.id());
        row.set("addresses", Ovsdb.stringSet(List.of(address)));
        row.set("port_security", Ovsdb.stringSet(List.of(address)));
        row.set("external_ids", Ovsdb.map(Map.of(NETWORK, spec.name(), VM, port.vm(), TAGS, String.join(",", port.tags()))));
        List<JsonNode> dhcp = rows(DHCP, Ovsdb.tagged(NETWORK, spec.name()), "_uuid");
        if (!dhcp.isEmpty()) {
            row.set("dhcpv4_options", Ovsdb.uuid(Ovsdb.uuidOf(dhcp.get(0))));
        }
        List<ObjectNode> ops = new ArrayList<>(List.of(Ovsdb.insert(LSP, row, "p"),
                Ovsdb.mutate(LS, Ovsdb.byName(switchName(spec.name())), "ports", "insert",
                        Ovsdb.set(List.of(Ovsdb.namedUuid("p"))))));
        OvnSecurityGroups.membership(Ovsdb.namedUuid("p"), null, port.tags(), securityGroups.tagGroups(), ops);
        Port created = new Port(port.id(), spec.name(), port.vm(), port.mac(), ip, List.copyOf(port.tags()), false);
        List<Port> all = new ArrayList<>(ports(spec.name()));
        all.add(created);
        dns(spec.name(), all, ops);
        nb.transact(DB, ops);
        return created;
    }

    /** The VM's name or tags changed: the port's marks and its port group membership follow; ACLs stay. */
    void updatePort(PortSpec port) {
        Optional<JsonNode> row = rows(LSP, Ovsdb.byName(port.id()), "_uuid", "external_ids").stream().findFirst();
        if (row.isEmpty()) {
            throw QuantixException.notFound("port", port.id());
        }
        String uuid = Ovsdb.uuidOf(row.get());
        Map<String, String> ids = new LinkedHashMap<>(Ovsdb.stringMap(row.get().get("external_ids")));
        ids.put(VM, port.vm());
        ids.put(TAGS, String.join(",", port.tags()));
        ObjectNode marks = JSON.createObjectNode();
        marks.set("external_ids", Ovsdb.map(ids));
        List<ObjectNode> ops = new ArrayList<>(List.of(Ovsdb.update(LSP, Ovsdb.byUuid(uuid), marks)));
        OvnSecurityGroups.membership(Ovsdb.uuid(uuid), uuid, port.tags(), securityGroups.tagGroups(), ops);
        nb.transact(DB, ops);
    }

    /**
     * Magic DNS: the network's DNS row maps {@code <vm>.internal} to each port's address; ovn-controller answers
     * queries for these names from the network's ports itself.
     */
    private void dns(String network, List<Port> ports, List<ObjectNode> ops) {
        Map<String, String> records = new java.util.TreeMap<>();
        ports.forEach(p -> p.ip().ifPresent(ip -> records.put(p.vm().toLowerCase(java.util.Locale.ROOT) + ".internal", ip)));
        ObjectNode row = JSON.createObjectNode();
        row.set("records", Ovsdb.map(records));
        row.set("external_ids", Ovsdb.map(Map.of(NETWORK, network)));
        if (rows("DNS", Ovsdb.tagged(NETWORK, network), "_uuid").isEmpty()) {
            ops.add(Ovsdb.insert("DNS", row, "dns"));
            ops.add(Ovsdb.mutate(LS, Ovsdb.byName(switchName(network)), "dns_records", "insert",
                    Ovsdb.set(List.of(Ovsdb.namedUuid("dns")))));
        } else {
            ops.add(Ovsdb.update("DNS", Ovsdb.tagged(NETWORK, network), row));
        }
    }

    /** The network's port addresses, and every router port, NAT or VIP address inside its subnet (uplink, floating IP, VIP). */
    private List<String> addressesInUse(NetworkSpec spec) {
        List<String> used = new ArrayList<>(ports(spec.name()).stream().flatMap(p -> p.ip().stream()).toList());
        rows("Logical_Router_Port", Ovsdb.where(), "networks").forEach(r -> Ovsdb.strings(r.get("networks"))
                .forEach(n -> used.add(n.substring(0, n.indexOf('/')))));
        rows("NAT", Ovsdb.where(), "external_ip").forEach(r -> used.add(r.get("external_ip").asText()));
        rows("Load_Balancer", Ovsdb.where(), "vips").forEach(r -> Ovsdb.stringMap(r.get("vips")).keySet()
                .forEach(vip -> used.add(vip.substring(0, vip.lastIndexOf(':')))));
        return used.stream().filter(a -> !a.contains(":") && NetworkSpec.contains(spec.cidr().orElseThrow(), a)).toList();
    }

    /** Unhooks the port from its switch; OVSDB garbage-collects the unreferenced row. Idempotent. */
    void deletePort(NetworkSpec spec, String portId) {
        for (JsonNode row : rows(LSP, Ovsdb.byName(portId), "_uuid")) {
            List<ObjectNode> ops = new ArrayList<>(List.of(Ovsdb.mutate(LS, Ovsdb.byName(switchName(spec.name())), "ports",
                    "delete", Ovsdb.set(List.of(Ovsdb.uuid(Ovsdb.uuidOf(row)))))));
            dns(spec.name(), ports(spec.name()).stream().filter(p -> !p.id().equals(portId)).toList(), ops);
            nb.transact(DB, ops);
        }
    }

    List<Port> ports(String network) {
        return rows(LSP, vmPorts(network), "name", "addresses", "external_ids", "up").stream().map(OvnNorthbound::port).toList();
    }

    Optional<Port> port(String id) {
        return rows(LSP, Ovsdb.byName(id), "name", "addresses", "external_ids", "up").stream()
                .filter(r -> Ovsdb.stringMap(r.get("external_ids")).containsKey(NETWORK)).map(OvnNorthbound::port).findFirst();
    }

    private static Port port(JsonNode row) {
        Map<String, String> ids = Ovsdb.stringMap(row.get("external_ids"));
        String[] address = Ovsdb.strings(row.get("addresses")).stream().findFirst().orElse("").split(" ");
        String tags = ids.getOrDefault(TAGS, "");
        return new Port(Ovsdb.atomText(row.get("name")), ids.get(NETWORK), ids.getOrDefault(VM, ""), address[0],
                address.length > 1 ? Optional.of(address[1]) : Optional.empty(),
                tags.isEmpty() ? List.of() : List.of(tags.split(",")),
                Ovsdb.atoms(row.get("up")).stream().anyMatch(JsonNode::asBoolean));
    }

    List<JsonNode> rows(String table, ArrayNode where, String... columns) {
        List<JsonNode> out = new ArrayList<>();
        Ovsdb.rows(nb.transact(DB, List.of(Ovsdb.select(table, where, columns))).get(0)).forEach(out::add);
        return out;
    }

    /** A stable, locally administered MAC for the network's DHCP server, derived from its name. */
    static String serverMac(String network) {
        return stableMac("dhcp:" + network);
    }

    /** A locally administered unicast MAC that is the same for the same seed. */
    static String stableMac(String seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return String.format("0a:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
