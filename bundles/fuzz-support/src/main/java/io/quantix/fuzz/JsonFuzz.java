package io.quantix.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * JSON text for fuzzing a JSON reader: random values, and raw fragments chosen to trip a parser or a binder (wrong
 * types, numbers too large for any Java type, deep nesting, long and odd unicode strings). Fragments are text, not
 * trees, so they can hold what no JSON library writes (a lone surrogate escape, {@code 1e999}, {@code NaN}).
 * Near-valid documents are a valid one with a few {@link Mutation}s.
 */
public final class JsonFuzz {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> ODD_LITERALS = List.of("null", "true", "false", "0", "-0", "-1", "1.5", "-1.5e-7",
            "1e400", "-1e400", "1e-400", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
            "0.30000000000000004", "NaN", "Infinity", "-Infinity", "01", "0x10", "\"\"", "\" \"", "\"\\u0000\"",
            "\"\\uD800\"", "\"\\uDFFF\\uD800\"", "\"\\\\\"", "\"..\"", "\"../../etc/passwd\"", "\"/\"", "\"a/b\"",
            "\"%00\"", "\"START\"", "\"start\"", "\"VIRTIO\"", "\"QCOW2\"", "\"true\"", "\"12\"", "\"-1\"", "\"1e3\"",
            "\"52:54:00:12:34:56\"", "\"10.0.0.0/24\"", "\"tcp:22 from 0.0.0.0/0\"", "\"tcp:99999999999 from 0.0.0.0/0\"",
            "\"tcp:1-0 from 10.0.0.0/8\"", "\"tcp: from\"", "[]", "{}", "[null]", "[[]]", "{\"\":null}", "[1,2,3]",
            "[\"a\",\"a\"]", "{\"a\":1,\"a\":2}");

    private JsonFuzz() {
    }

    /** Random JSON values: scalars, and arrays and objects of them nested up to {@code depth} levels. */
    public static Arbitrary<String> values(int depth) {
        return Arbitraries.recursive(JsonFuzz::scalars, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]"),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(8).map(JsonFuzz::quote), inner).ofMaxSize(4)
                        .map(fields -> {
                            StringBuilder b = new StringBuilder("{");
                            fields.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append(':').append(v));
                            return b.append('}').toString();
                        })), 0, depth);
    }

    /** One JSON scalar: an odd literal, any long or double, or a short string of any code points. */
    public static Arbitrary<String> scalars() {
        return Arbitraries.oneOf(Arbitraries.of(ODD_LITERALS),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.strings().all().ofMaxLength(12).map(JsonFuzz::quote));
    }

    /** A raw fragment to splice into a valid document where a value belongs. */
    public static Arbitrary<String> fragments() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, scalars()),
                Tuple.of(2, values(2)),
                // long strings: of one repeated character, and of any code points
                Tuple.of(1, Arbitraries.integers().between(1_000, 100_000).map(n -> quote("x".repeat(n)))),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(200).ofMaxLength(2_000).map(JsonFuzz::quote)),
                // nesting, shallow and deeper than any parser's limit
                Tuple.of(1, Arbitraries.integers().between(1, 5_000).map(n -> "[".repeat(n) + "]".repeat(n))),
                Tuple.of(1, Arbitraries.integers().between(1, 5_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n))),
                // a number longer than any number type
                Tuple.of(1, Arbitraries.integers().between(20, 5_000).map(n -> "9".repeat(n))));
    }

    /**
     * Object keys: the component names of these record types and of every record type their components hold (so a
     * mutation adds a field the binder knows, in the wrong place), plus a few no record has.
     */
    public static Arbitrary<String> keys(Collection<Class<?>> types) {
        Set<String> names = new LinkedHashSet<>(List.of("", "x", "__proto__", "@type", "class", "\u00e9"));
        Deque<Class<?>> todo = new ArrayDeque<>(types);
        Set<Class<?>> seen = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            Class<?> type = todo.pop();
            if (!type.isRecord() || !seen.add(type)) {
                continue;
            }
            for (RecordComponent c : type.getRecordComponents()) {
                names.add(c.getName());
                todo.add(c.getType());
                addTypeArguments(c.getGenericType(), todo);
            }
        }
        return Arbitraries.of(List.copyOf(names));
    }

    private static void addTypeArguments(Type type, Deque<Class<?>> todo) {
        if (type instanceof ParameterizedType p) {
            for (Type arg : p.getActualTypeArguments()) {
                if (arg instanceof Class<?> c) {
                    todo.add(c);
                }
                addTypeArguments(arg, todo);
            }
        }
    }

    /**
     * One change to a document: {@code path} picks a node (each number an index into a container, modulo its size;
     * the walk stops at a leaf), {@code op} what happens there: 0 it is replaced by {@code fragment}, 1 it is removed,
     * 2 {@code key}: {@code fragment} is added to it (appended, in an array), 3 it is wrapped in an array.
     */
    public record Mutation(int op, List<Integer> path, String fragment, String key) {
    }

    /** One to {@code max} mutations, adding fields named from {@code keys}. */
    public static Arbitrary<List<Mutation>> mutations(int max, Arbitrary<String> keys) {
        return Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 64).list().ofMaxSize(5), fragments(), keys)
                .as(Mutation::new).list().ofMinSize(1).ofMaxSize(max);
    }

    /** The valid JSON document {@code valid} after the mutations, as text. */
    public static String mutate(String valid, List<Mutation> mutations) {
        JsonNode root;
        try {
            root = JSON.readTree(valid);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + valid, e);
        }
        // fragments go in as placeholders and are spliced into the text last: they need not be JSON a tree can hold
        List<String> fragments = new ArrayList<>();
        for (Mutation m : mutations) {
            JsonNode placeholder = JSON.getNodeFactory().textNode(placeholder(fragments.size()));
            fragments.add(m.fragment());
            root = apply(root, m, placeholder);
        }
        String text = root.toString();
        for (int i = 0; i < fragments.size(); i++) {
            text = text.replace(quote(placeholder(i)), fragments.get(i));
        }
        return text;
    }

    private static String placeholder(int i) {
        return "@@fragment-" + i + "@@";
    }

    private static JsonNode apply(JsonNode root, Mutation m, JsonNode placeholder) {
        JsonNode parent = null;
        String field = null;
        int index = -1;
        JsonNode node = root;
        for (int step : m.path()) {
            if (!node.isContainerNode() || node.isEmpty()) {
                break;
            }
            parent = node;
            if (node.isArray()) {
                index = step % node.size();
                node = node.get(index);
            } else {
                Iterator<String> names = node.fieldNames();
                field = names.next();
                for (int i = step % node.size(); i > 0; i--) {
                    field = names.next();
                }
                node = node.get(field);
            }
        }
        JsonNode replacement = switch (m.op()) {
            case 0 -> placeholder;
            case 1 -> null;
            case 2 -> {
                if (node instanceof ObjectNode o) {
                    o.set(m.key(), placeholder);
                } else if (node instanceof ArrayNode a) {
                    a.add(placeholder);
                }
                yield node;
            }
            default -> JSON.createArrayNode().add(node);
        };
        if (parent == null) {
            return replacement == null ? JSON.createObjectNode() : replacement;
        }
        if (parent instanceof ObjectNode o) {
            if (replacement == null) {
                o.remove(field);
            } else {
                o.set(field, replacement);
            }
        } else if (parent instanceof ArrayNode a) {
            if (replacement == null) {
                a.remove(index);
            } else {
                a.set(index, replacement);
            }
        }
        return root;
    }

    /** {@code text} as a JSON string literal; control characters and lone surrogates escaped as {@code \\uXXXX}. */
    public static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
