package io.quantix.rest.internal;

import java.util.Map;

/**
 * An answer ready to send: status, serialised JSON (null for none) and extra headers. Immutable, so the
 * idempotency store can hand the same reply to a retry.
 */
record Reply(int status, byte[] json, Map<String, String> headers) {
    /** Returned by handlers that wrote the response themselves (the event stream). */
    static final Reply ALREADY_SENT = new Reply(0, null, Map.of());

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply ok(Object body) {
        return new Reply(200, Json.write(body), Map.of());
    }

    static Reply created(String location, Object body) {
        return new Reply(201, Json.write(body), Map.of("Location", location));
    }

    static Reply noContent() {
        return new Reply(204, null, Map.of());
    }

    Reply withHeader(String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new Reply(status, json, more);
    }
}
