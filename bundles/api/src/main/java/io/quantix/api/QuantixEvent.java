package io.quantix.api;

import java.time.Instant;
import java.util.Locale;

/**
 * Something that happened on the node. It travels on OSGi EventAdmin under {@link #topic()}, so the
 * shell, REST WebSocket and gRPC streams all see the same events.
 *
 * @param type upper-case verb, e.g. {@code CREATED}, {@code STARTED}, {@code UNAVAILABLE}
 * @param subject the name of the VM, pool, network or backend
 */
public record QuantixEvent(Kind kind, String type, String subject, String message, Instant at) {
    /** Prefix of every Quantix topic; subscribe to {@code io/quantix/*} for all of them. */
    public static final String TOPIC_PREFIX = "io/quantix/";

    public enum Kind { VM, POOL, VOLUME, NETWORK, BACKEND }

    /** Property names of the EventAdmin event, the same on every topic. */
    public static final String KIND = "kind";
    public static final String TYPE = "type";
    public static final String SUBJECT = "subject";
    public static final String MESSAGE = "message";
    /** Milliseconds since the epoch. */
    public static final String TIMESTAMP = "timestamp";

    public QuantixEvent {
        Validation.required("kind", kind);
        if (type == null || !type.matches("[A-Z_]{1,32}")) {
            throw QuantixException.invalid("event type " + Validation.quote(type) + " is invalid");
        }
        Validation.required("subject", subject);
        Validation.required("message", message);
        Validation.required("time", at);
    }

    public static QuantixEvent of(Kind kind, String type, String subject, String message) {
        return new QuantixEvent(kind, type, subject, message, Instant.now());
    }

    /** The EventAdmin event properties. */
    public java.util.Map<String, Object> properties() {
        return java.util.Map.of(KIND, kind.name(), TYPE, type, SUBJECT, subject, MESSAGE, message,
                TIMESTAMP, at.toEpochMilli());
    }

    /** {@code io/quantix/<kind>/<TYPE>}, e.g. {@code io/quantix/vm/STARTED}. */
    public String topic() {
        return TOPIC_PREFIX + kind.name().toLowerCase(Locale.ROOT) + "/" + type;
    }
}
