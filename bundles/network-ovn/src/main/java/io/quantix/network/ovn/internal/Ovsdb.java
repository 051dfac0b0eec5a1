package io.quantix.network.ovn.internal;

import static io.quantix.network.ovn.internal.OvsdbClient.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 7047 operations, conditions and values as Jackson nodes: the only way the driver builds OVSDB
 * requests, so every user value is a JSON string or number, never text spliced into a command. Reading
 * what the server sent back checks its shape: a malformed value is BACKEND_ERROR, never a NullPointerException.
 */
final class Ovsdb {
    private Ovsdb() {
    }

    // operations

    static ObjectNode insert(String table, ObjectNode row, String uuidName) {
        ObjectNode op = op("insert", table);
        op.set("row", row);
        op.put("uuid-name", uuidName);
        return op;
    }

    static ObjectNode update(String table, ArrayNode where, ObjectNode row) {
        ObjectNode op = op("update", table);
        op.set("where", where);
        op.set("row", row);
        return op;
    }

    static ObjectNode delete(String table, ArrayNode where) {
        ObjectNode op = op("delete", table);
        op.set("where", where);
        return op;
    }

    static ObjectNode select(String table, ArrayNode where, String... columns) {
        ObjectNode op = op("select", table);
        op.set("where", where);
        ArrayNode cols = op.putArray("columns");
        for (String c : columns) {
            cols.add(c);
        }
        return op;
    }

    /** {@code mutator} is {@code insert} or {@code delete} on a set or map column. */
    static ObjectNode mutate(String table, ArrayNode where, String column, String mutator, JsonNode value) {
        ObjectNode op = op("mutate", table);
        op.set("where", where);
        op.putArray("mutations").add(JSON.createArrayNode().add(column).add(mutator).add(value));
        return op;
    }

    private static ObjectNode op(String op, String table) {
        return JSON.createObjectNode().put("op", op).put("table", table);
    }

    // conditions

    static ArrayNode where(ArrayNode... conditions) {
        ArrayNode where = JSON.createArrayNode();
        for (ArrayNode c : conditions) {
            where.add(c);
        }
        return where;
    }

    static ArrayNode cond(String column, String function, JsonNode value) {
        return JSON.createArrayNode().add(column).add(function).add(value);
    }

    static ArrayNode byUuid(String uuid) {
        return where(cond("_uuid", "==", uuid(uuid)));
    }

    static ArrayNode byName(String name) {
        return where(cond("name", "==", JSON.getNodeFactory().textNode(name)));
    }

    /** Rows whose {@code external_ids} carry {@code key=value}. */
    static ArrayNode tagged(String key, String value) {
        return where(cond("external_ids", "includes", map(Map.of(key, value))));
    }

    // values

    static ArrayNode uuid(String uuid) {
        return JSON.createArrayNode().add("uuid").add(uuid);
    }

    static ArrayNode namedUuid(String name) {
        return JSON.createArrayNode().add("named-uuid").add(name);
    }

    static ArrayNode set(Collection<? extends JsonNode> atoms) {
        ArrayNode set = JSON.createArrayNode().add("set");
        set.addArray().addAll(atoms);
        return set;
    }

    static ArrayNode stringSet(Collection<String> values) {
        return set(values.stream().map(v -> JSON.getNodeFactory().textNode(v)).toList());
    }

    static ArrayNode map(Map<String, String> entries) {
        ArrayNode map = JSON.createArrayNode().add("map");
        ArrayNode pairs = map.addArray();
        entries.forEach((k, v) -> pairs.add(JSON.createArrayNode().add(k).add(v)));
        return map;
    }

    // reading rows

    /** The server sent something that is not RFC 7047: the request failed on its side. */
    static QuantixException malformed(String what, JsonNode value) {
        String text = String.valueOf(value);
        return new QuantixException(ErrorCode.BACKEND_ERROR, "the OVSDB server sent a malformed " + what + ": "
                + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
    }

    /** The rows of a select's result. */
    static JsonNode rows(JsonNode selectResult) {
        JsonNode rows = selectResult.path("rows");
        if (!rows.isArray()) {
            throw malformed("select result", selectResult);
        }
        return rows;
    }

    /** A set column as its atoms (a one-element set may come as the bare atom, RFC 7047 5.1). */
    static List<JsonNode> atoms(JsonNode value) {
        List<JsonNode> out = new ArrayList<>();
        if (value == null || value.isMissingNode() || value.isNull()) {
            return out;
        }
        if (value.isArray() && "set".equals(value.path(0).asText())) {
            if (!value.path(1).isArray()) {
                throw malformed("set", value);
            }
            value.get(1).forEach(out::add);
        } else {
            out.add(value);
        }
        return out;
    }

    static List<String> strings(JsonNode value) {
        return atoms(value).stream().map(Ovsdb::atomText).toList();
    }

    /** A uuid atom's id, or a string atom's text. */
    static String atomText(JsonNode atom) {
        if (atom == null || atom.isNull()) {
            throw malformed("atom", atom);
        }
        return atom.isArray() && atom.size() == 2 ? atom.get(1).asText() : atom.asText();
    }

    static Map<String, String> stringMap(JsonNode value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value != null && value.isArray() && "map".equals(value.path(0).asText())) {
            if (!value.path(1).isArray()) {
                throw malformed("map", value);
            }
            for (JsonNode pair : value.get(1)) {
                if (!pair.isArray() || pair.size() != 2) {
                    throw malformed("map pair", pair);
                }
                out.put(atomText(pair.get(0)), atomText(pair.get(1)));
            }
        }
        return out;
    }

    static String uuidOf(JsonNode row) {
        return atomText(row.get("_uuid"));
    }
}
