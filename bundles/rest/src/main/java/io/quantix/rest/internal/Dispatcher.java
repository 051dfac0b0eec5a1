package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.service.MetricsService;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Session;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every request under {@link RestServer#BASE}, checks its bearer token (or the web console's cookie and
 * CSRF token, {@link BrowserSessions}) and turns any failure into the
 * JSON error body. Nothing else in the bundle writes an error answer.
 */
final class Dispatcher implements HttpsEndpoint.ExchangeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final String BEARER = "Bearer ";

    private final List<Route> routes;
    private final AdminAccount admin;
    private final Authenticator authenticator;
    private final BrowserSessions browser;
    private final int maxBodyBytes;
    private final Supplier<Optional<MetricsService>> metrics;

    Dispatcher(List<Route> routes, AdminAccount admin, Authenticator authenticator, BrowserSessions browser,
            int maxBodyBytes, Supplier<Optional<MetricsService>> metrics) {
        this.routes = List.copyOf(routes);
        this.admin = admin;
        this.authenticator = authenticator;
        this.browser = browser;
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    List<Route> routes() {
        return routes;
    }

    @Override
    public void handle(Exchange exchange) {
        long start = System.nanoTime();
        // the route template, not the path: the latency histogram's labels stay few whatever clients send
        String[] matched = {"(no route)"};
        Reply reply;
        try {
            reply = dispatch(exchange, matched);
        } catch (Exception | Error e) {
            reply = error(e, exchange.method(), exchange.rawPath());
        }
        try {
            if (reply != Reply.ALREADY_SENT) {
                send(exchange, reply);
            }
        } catch (IOException e) {
            LOG.debug("client went away before the answer was sent: {}", e.toString());
        }
        if (reply != Reply.ALREADY_SENT) {
            int status = reply.status();
            metrics.get().ifPresent(m -> m.recordRequest("rest", matched[0], Integer.toString(status),
                    System.nanoTime() - start));
        }
    }

    private Reply dispatch(Exchange exchange, String[] matched) throws IOException {
        String method = exchange.method();
        String rawPath = exchange.rawPath();
        boolean underBase = rawPath.startsWith(RestServer.BASE + "/");
        String relative = underBase ? rawPath.substring(RestServer.BASE.length()) : rawPath;
        List<String> segments = new ArrayList<>();
        for (String raw : relative.substring(1).split("/", -1)) {
            segments.add(decode(raw.replace("+", "%2B")));
        }
        List<String> allowed = new ArrayList<>();
        for (Route route : routes) {
            if (route.root() == underBase) {
                continue;
            }
            Optional<Map<String, String>> params = route.match(segments);
            if (params.isEmpty()) {
                continue;
            }
            if (!route.method().equals(method)) {
                allowed.add(route.method());
                continue;
            }
            matched[0] = method + " " + route.template();
            Optional<String> token = Optional.empty();
            Optional<Session> session = Optional.empty();
            if (route.authenticated()) {
                token = Optional.of(sessionToken(exchange));
                session = Optional.of(authenticator.verify(token.get()).orElseThrow(() -> new QuantixException(
                        ErrorCode.UNAUTHENTICATED, "the token is unknown, expired or revoked: log in again")));
                if (exchange.header("Authorization") == null) {
                    browser.checkCsrf(exchange, token.get());
                }
            }
            Call call = new Call(exchange, params.get(), query(exchange.rawQuery()), session, token,
                    maxBodyBytes);
            return route.handler().handle(call);
        }
        if (allowed.isEmpty()) {
            throw HttpError.noRoute(method, rawPath);
        }
        String allow = String.join(", ", allowed);
        exchange.setHeader("Allow", allow);
        throw new HttpError(405, ErrorCode.INVALID_ARGUMENT, "method " + method + " is not allowed here; use " + allow);
    }

    /** The bearer token, or else the web console's session cookie (whose writes then need the CSRF token). */
    private String sessionToken(Exchange exchange) {
        if (!admin.setupComplete()) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED,
                    "this node has no admin account yet: create it with POST " + RestServer.BASE + "/setup");
        }
        String header = exchange.header("Authorization");
        if (header == null) {
            Optional<String> cookie = BrowserSessions.cookieToken(exchange);
            if (cookie.isPresent()) {
                return cookie.get();
            }
        }
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || header.length() == BEARER.length()) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "an 'Authorization: Bearer <token>' header is required;"
                    + " get a token with POST " + RestServer.BASE + "/auth/login");
        }
        return header.substring(BEARER.length()).strip();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                if (query.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1))) != null) {
                    throw QuantixException.invalid("query parameter '" + name + "' is given twice");
                }
            }
        }
        return query;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw QuantixException.invalid("the URL has a malformed %-escape");
        }
    }

    /** The one mapping from a failure to an answer. Unexpected failures are logged with a reference, never sent. */
    static Reply error(Throwable failure, String method, String path) {
        int status;
        ErrorCode code;
        String message;
        if (failure instanceof HttpError h) {
            status = h.status();
            code = h.code();
            message = h.getMessage();
        } else if (failure instanceof QuantixException q) {
            status = ErrorMapping.status(q.code());
            code = q.code();
            message = q.getMessage();
            if (code == ErrorCode.INTERNAL) {
                LOG.error("{} {} failed: {}", method, path, q.getMessage(), q);
            }
        } else {
            String reference = UUID.randomUUID().toString();
            LOG.error("{} {} failed (reference {})", method, path, reference, failure);
            status = 500;
            code = ErrorCode.INTERNAL;
            message = "internal error (reference " + reference + "): see the node's log";
        }
        Reply reply = new Reply(status, Json.write(new ErrorBody(code.name(), message, Map.of())), Map.of());
        return status == 401 ? reply.withHeader("WWW-Authenticate", "Bearer") : reply;
    }

    static void send(Exchange exchange, Reply reply) throws IOException {
        reply.headers().forEach(exchange::setHeader);
        exchange.setHeader("Cache-Control", "no-store");
        exchange.setHeader("X-Content-Type-Options", "nosniff");
        if (reply.json() != null && !reply.headers().containsKey("Content-Type")) {
            exchange.setHeader("Content-Type", "application/json; charset=utf-8");
        }
        exchange.send(reply.status(), reply.json());
    }
}
