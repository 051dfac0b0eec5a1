package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.security.Session;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;

/**
 * One request as a resource sees it: path and query parameters, the session (empty on open routes), the
 * client's address and a size-limited body.
 */
final class Call {
    private final Exchange exchange;
    private final Map<String, String> pathParams;
    private final Map<String, String> query;
    private final Optional<Session> session;
    private final Optional<String> token;
    private final int maxBodyBytes;
    private byte[] body;

    Call(Exchange exchange, Map<String, String> pathParams, Map<String, String> query,
            Optional<Session> session, Optional<String> token, int maxBodyBytes) {
        this.exchange = exchange;
        this.pathParams = Map.copyOf(pathParams);
        this.query = Map.copyOf(query);
        this.session = session;
        this.token = token;
        this.maxBodyBytes = maxBodyBytes;
    }

    Exchange exchange() {
        return exchange;
    }

    /** A path parameter that names an object, checked with the API's own name rule before any service sees it. */
    String name(String param, String kind) {
        return Validation.name(kind, pathParams.get(param));
    }

    Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    boolean booleanQuery(String name, boolean absent) {
        return query(name).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw QuantixException.invalid("query parameter '" + name + "' must be true or false");
        }).orElse(absent);
    }

    int intQuery(String name, int absent, int min, int max) {
        return query(name).map(v -> {
            try {
                return (int) Validation.range("query parameter '" + name + "'", Integer.parseInt(v), min, max);
            } catch (NumberFormatException e) {
                throw QuantixException.invalid("query parameter '" + name + "' must be an integer");
            }
        }).orElse(absent);
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(exchange.header(name));
    }

    Session session() {
        return session.orElseThrow(() -> new IllegalStateException("route is not authenticated"));
    }

    Optional<String> token() {
        return token;
    }

    /** The client's IP address: the {@code source} of logins in the audit log and the key of their lockout. */
    String clientAddress() {
        return clientInetAddress().getHostAddress();
    }

    /** The client's address as the connection saw it: first-boot setup trusts loopback. */
    InetAddress clientInetAddress() {
        return exchange.remoteAddress();
    }

    /**
     * The raw body of a streamed upload (an ISO, a disk image), not buffered: the service reading it enforces its
     * own size limit and leaves nothing behind if the stream breaks.
     */
    InputStream stream() {
        return exchange.requestBody();
    }

    <T> T body(Class<T> type) {
        return Json.read(bodyBytes(), type);
    }

    /**
     * The raw body, at most {@code maxBodyBytes}: refused from Content-Length when it says so, else counted
     * while reading, so a client cannot make the node buffer an unbounded body.
     */
    byte[] bodyBytes() {
        if (body == null) {
            String length = exchange.header("Content-Length");
            try (InputStream in = exchange.requestBody()) {
                if (length != null && (!length.matches("\\d{1,18}") || Long.parseLong(length) > maxBodyBytes)) {
                    throw tooLarge(in);
                }
                byte[] read = in.readNBytes(maxBodyBytes + 1);
                if (read.length > maxBodyBytes) {
                    throw tooLarge(in);
                }
                body = read;
            } catch (IOException e) {
                throw QuantixException.invalid("the request body cannot be read");
            }
            if (body.length == 0) {
                throw QuantixException.invalid("a JSON request body is required");
            }
        }
        return body;
    }

    /**
     * Reads and drops a bounded part of the rest of the body first: a client still sending when the answer comes
     * would see its connection reset instead of the 413. Beyond the bound, the reset is what it gets.
     */
    private HttpError tooLarge(InputStream in) throws IOException {
        byte[] sink = new byte[8192];
        long bound = 16L * maxBodyBytes;
        for (long dropped = 0; dropped < bound;) {
            int n = in.read(sink, 0, (int) Math.min(sink.length, bound - dropped));
            if (n < 0) {
                break;
            }
            dropped += n;
        }
        return new HttpError(413, ErrorCode.INVALID_ARGUMENT, "the request body is larger than " + maxBodyBytes + " bytes");
    }
}
