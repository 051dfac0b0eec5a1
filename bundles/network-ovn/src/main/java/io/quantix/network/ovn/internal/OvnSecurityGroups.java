package io.quantix.network.ovn.internal;

import static io.quantix.network.ovn.internal.OvsdbClient.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Security groups compiled to OVN: every tag is a Port_Group {@code qx_tag_<hex of the tag>} holding the ports
 * of the VMs that carry it (OVN derives the address set {@code $qx_tag_<hex>_ip4} from it), and a group's ACLs
 * hang on the port group of the tag it applies to:
 * <ul>
 *   <li>to-lport, priority 1000: drop IPv4 to members (default deny inbound);</li>
 *   <li>from-lport, priority 1000: allow-related from members (what they send, and its replies, pass);</li>
 *   <li>to-lport, priority 1001, one per rule: allow-related from the rule's CIDR or tag address set,
 *       protocol and destination ports.</li>
 * </ul>
 * Retagging a VM only changes port group membership; the ACLs stay as they are. Matches are built from
 * validated values only (CIDRs checked by the API, ports as numbers, tags hex-encoded).
 */
final class OvnSecurityGroups {
    static final String SG = "quantix:sg";
    static final String TAG = "quantix:tag";
    static final String RULE = "quantix:rule";
    static final int DENY_PRIORITY = 1000;
    static final int ALLOW_PRIORITY = 1001;
    private static final String PG = "Port_Group";
    private static final String ACL = "ACL";

    private final OvnNorthbound nb;

    OvnSecurityGroups(OvnNorthbound nb) {
        this.nb = nb;
    }

    /**
     * Hex, not the tag itself: a tag such as {@code role=web} has characters an OVN name and match cannot take, and
     * hex keeps distinct tags distinct. Port lists in {@code quantix:tags} are comma-joined, which no tag contains.
     */
    static String portGroup(String tag) {
        return "qx_tag_" + HexFormat.of().formatHex(tag.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the group's ACLs in place of its earlier ones, in one transaction. */
    void ensure(SecurityGroup group) {
        Map<String, JsonNode> groups = tagGroups();
        if (upToDate(group, groups)) {
            return;
        }
        List<ObjectNode> ops = new ArrayList<>();
        Set<String> tags = new LinkedHashSet<>();
        tags.add(group.appliesTo());
        group.rules().stream().map(SecurityRule::source).filter(SecurityRule.Source.Tag.class::isInstance)
                .map(s -> ((SecurityRule.Source.Tag) s).tag()).forEach(tags::add);
        Map<String, List<String>> members = members();
        dropAcls(group.name(), groups, ops);
        List<JsonNode> acls = new ArrayList<>();
        List<ObjectNode> rows = compile(group);
        for (int i = 0; i < rows.size(); i++) {
            ops.add(Ovsdb.insert(ACL, rows.get(i), "acl" + i));
            acls.add(Ovsdb.namedUuid("acl" + i));
        }
        for (String tag : tags) {
            String name = portGroup(tag);
            boolean target = tag.equals(group.appliesTo());
            if (groups.containsKey(name)) {
                if (target) {
                    ops.add(Ovsdb.mutate(PG, Ovsdb.byName(name), "acls", "insert", Ovsdb.set(acls)));
                }
            } else {
                ObjectNode pg = newGroup(tag, members.getOrDefault(tag, List.of()).stream().map(Ovsdb::uuid).toList());
                if (target) {
                    pg.set("acls", Ovsdb.set(acls));
                }
                ops.add(Ovsdb.insert(PG, pg, "pg" + ops.size()));
            }
        }
        nb.client().transact(OvnNorthbound.DB, ops);
    }

    /** The security groups NB has ACLs of. */
    Set<String> names() {
        return nb.owners(ACL, SG);
    }

    /** Whether NB already has exactly the group's ACLs, on its tag's port group, and the port groups of its source tags. */
    private boolean upToDate(SecurityGroup group, Map<String, JsonNode> groups) {
        JsonNode target = groups.get(portGroup(group.appliesTo()));
        if (target == null || group.rules().stream().map(SecurityRule::source).filter(SecurityRule.Source.Tag.class::isInstance)
                .anyMatch(t -> !groups.containsKey(portGroup(((SecurityRule.Source.Tag) t).tag())))) {
            return false;
        }
        List<JsonNode> rows = nb.rows(ACL, Ovsdb.tagged(SG, group.name()), "_uuid", "direction", "priority", "match", "action");
        List<String> held = Ovsdb.strings(target.get("acls"));
        return rows.stream().allMatch(r -> held.contains(Ovsdb.uuidOf(r)))
                && key(rows).equals(key(compile(group).stream().map(JsonNode.class::cast).toList()));
    }

    private static Set<String> key(List<JsonNode> acls) {
        Set<String> out = new java.util.TreeSet<>();
        acls.forEach(a -> out.add(a.get("direction").asText() + "|" + a.get("priority").asInt() + "|" + a.get("match").asText()
                + "|" + a.get("action").asText()));
        return out.size() == acls.size() ? out : Set.of();
    }

    void remove(String name) {
        List<ObjectNode> ops = new ArrayList<>();
        dropAcls(name, tagGroups(), ops);
        if (!ops.isEmpty()) {
            nb.client().transact(OvnNorthbound.DB, ops);
        }
    }

    /**
     * The operations that put a port (a uuid or named-uuid reference) into exactly the port groups of its tags,
     * creating those that do not exist yet.
     */
    static void membership(JsonNode port, String portUuid, Set<String> tags, Map<String, JsonNode> groups, List<ObjectNode> ops) {
        for (String tag : tags) {
            JsonNode pg = groups.get(portGroup(tag));
            if (pg == null) {
                ops.add(Ovsdb.insert(PG, newGroup(tag, List.of(port)), "pg" + ops.size()));
            } else if (portUuid == null || !Ovsdb.strings(pg.get("ports")).contains(portUuid)) {
                ops.add(Ovsdb.mutate(PG, Ovsdb.byUuid(Ovsdb.uuidOf(pg)), "ports", "insert", Ovsdb.set(List.of(port))));
            }
        }
        if (portUuid != null) {
            groups.forEach((name, pg) -> {
                String tag = Ovsdb.stringMap(pg.get("external_ids")).get(TAG);
                if (!tags.contains(tag) && Ovsdb.strings(pg.get("ports")).contains(portUuid)) {
                    ops.add(Ovsdb.mutate(PG, Ovsdb.byUuid(Ovsdb.uuidOf(pg)), "ports", "delete", Ovsdb.set(List.of(port))));
                }
            });
        }
    }

    private static ObjectNode newGroup(String tag, List<? extends JsonNode> ports) {
        ObjectNode pg = JSON.createObjectNode().put("name", portGroup(tag));
        pg.set("ports", Ovsdb.set(ports));
        pg.set("external_ids", Ovsdb.map(Map.of(TAG, tag)));
        return pg;
    }

    /** Quantix's tag port groups by name. */
    Map<String, JsonNode> tagGroups() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode pg : nb.rows(PG, Ovsdb.where(), "_uuid", "name", "ports", "acls", "external_ids")) {
            if (Ovsdb.stringMap(pg.get("external_ids")).containsKey(TAG)) {
                out.put(pg.get("name").asText(), pg);
            }
        }
        return out;
    }

    /** Port uuids by tag, over every Quantix port. */
    private Map<String, List<String>> members() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JsonNode lsp : nb.rows("Logical_Switch_Port", Ovsdb.where(), "_uuid", "external_ids")) {
            Map<String, String> ids = Ovsdb.stringMap(lsp.get("external_ids"));
            String tags = ids.getOrDefault(OvnNorthbound.TAGS, "");
            if (ids.containsKey(OvnNorthbound.VM) && !tags.isEmpty()) {
                for (String tag : tags.split(",")) {
                    out.computeIfAbsent(tag, t -> new ArrayList<>()).add(Ovsdb.uuidOf(lsp));
                }
            }
        }
        return out;
    }

    private void dropAcls(String group, Map<String, JsonNode> groups, List<ObjectNode> ops) {
        Set<String> old = new LinkedHashSet<>();
        nb.rows(ACL, Ovsdb.tagged(SG, group), "_uuid").forEach(r -> old.add(Ovsdb.uuidOf(r)));
        if (old.isEmpty()) {
            return;
        }
        groups.values().forEach(pg -> {
            List<JsonNode> held = Ovsdb.strings(pg.get("acls")).stream().filter(old::contains).map(Ovsdb::uuid)
                    .map(JsonNode.class::cast).toList();
            if (!held.isEmpty()) {
                ops.add(Ovsdb.mutate(PG, Ovsdb.byUuid(Ovsdb.uuidOf(pg)), "acls", "delete", Ovsdb.set(held)));
            }
        });
    }

    static List<ObjectNode> compile(SecurityGroup group) {
        String pg = "@" + portGroup(group.appliesTo());
        List<ObjectNode> acls = new ArrayList<>();
        acls.add(acl(group, "to-lport", DENY_PRIORITY, "outport == " + pg + " && ip4", "drop", "default deny inbound"));
        acls.add(acl(group, "from-lport", DENY_PRIORITY, "inport == " + pg + " && ip4", "allow-related", "outbound"));
        for (SecurityRule rule : group.rules()) {
            StringBuilder match = new StringBuilder("outport == ").append(pg).append(" && ip4");
            if (rule.source() instanceof SecurityRule.Source.Tag tag) {
                match.append(" && ip4.src == $").append(portGroup(tag.tag())).append("_ip4");
            } else if (!((SecurityRule.Source.Cidr) rule.source()).cidr().equals("0.0.0.0/0")) {
                match.append(" && ip4.src == ").append(((SecurityRule.Source.Cidr) rule.source()).cidr());
            }
            switch (rule.protocol()) {
                case TCP, UDP -> {
                    String l4 = rule.protocol() == SecurityRule.Protocol.TCP ? "tcp" : "udp";
                    match.append(" && ").append(l4);
                    rule.ports().ifPresent(p -> match.append(p.min() == p.max() ? " && " + l4 + ".dst == " + p.min()
                            : " && " + l4 + ".dst >= " + p.min() + " && " + l4 + ".dst <= " + p.max()));
                }
                case ICMP -> match.append(" && icmp4");
                case ANY -> {
                    // every protocol
                }
            }
            acls.add(acl(group, "to-lport", ALLOW_PRIORITY, match.toString(), "allow-related", rule.toString()));
        }
        return acls;
    }

    private static ObjectNode acl(SecurityGroup group, String direction, int priority, String match, String action, String what) {
        ObjectNode acl = JSON.createObjectNode().put("direction", direction).put("priority", priority)
                .put("match", match).put("action", action);
        acl.set("external_ids", Ovsdb.map(Map.of(SG, group.name(), RULE, what)));
        return acl;
    }
}
