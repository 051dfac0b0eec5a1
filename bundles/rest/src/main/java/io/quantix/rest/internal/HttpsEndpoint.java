package io.quantix.rest.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import io.quantix.api.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The node's HTTPS listener: an embedded Jetty 12 (core, no servlets) with the node's in-memory TLS keys, serving
 * one handler. Jetty rather than the JDK's own server because the web console needs WebSocket (the VM console
 * relay) on the same port, and because the JDK server spends its time in its TLS path under load.
 *
 * <p>Limits against slow and surplus clients (slowloris), each from {@link Limits}:
 * <ul>
 * <li>at most {@code maxConnections} open; beyond that the listener stops accepting until one closes, so a flood
 * waits in the kernel's backlog instead of taking threads;
 * <li>a connection silent for {@code idleTimeout} is closed (Jetty's idle timeout, per read and write);
 * <li>a request whose head is still arriving {@code requestHeadTimeout} after its first byte is closed: the idle
 * timeout alone does not stop a client that sends one byte a second, so a sweep once a second checks each
 * connection that has received bytes but not yet handed a request to the handler;
 * <li>request heads larger than 16 KiB are refused (431).
 * </ul>
 */
final class HttpsEndpoint implements AutoCloseable {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Bounds against hostile clients; see the class comment. */
    record Limits(int threads, int maxConnections, Duration idleTimeout, Duration requestHeadTimeout) {
        static final Limits DEFAULT = new Limits(32, 256, Duration.ofSeconds(30), Duration.ofSeconds(10));

        Limits {
            if (threads < 4 || maxConnections < 1 || idleTimeout.isNegative() || idleTimeout.isZero()
                    || requestHeadTimeout.isNegative() || requestHeadTimeout.isZero()) {
                throw new IllegalArgumentException("bad HTTPS limits: " + threads + " threads, " + maxConnections
                        + " connections, " + idleTimeout + " idle, " + requestHeadTimeout + " request head");
            }
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final SlowRequests slow;

    private HttpsEndpoint(InetSocketAddress address, SSLContext ssl, Limits limits, Handler handler) {
        // threads end when idle (60 s), so an idle node keeps only the few Jetty needs to accept and select
        QueuedThreadPool pool = new QueuedThreadPool(limits.threads(), 2, 60_000);
        pool.setName("quantix-https");
        pool.setDaemon(true);
        server = new Server(pool);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(ssl);
        tls.setIncludeProtocols(PROTOCOLS);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        http.setHttpCompliance(HttpCompliance.RFC9110);
        // let encoded separators and dot segments (%2F, %2e%2e) through to the API, whose name and path checks
        // refuse them with the error code a client expects; a path that climbs above the root is still refused here
        http.setUriCompliance(UriCompliance.DEFAULT.with("quantix", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        slow = new SlowRequests(limits.requestHeadTimeout());
        HttpConnectionFactory httpFactory = new HttpConnectionFactory(http) {
            @Override
            public Connection newConnection(Connector on, EndPoint endPoint) {
                return slow.track(super.newConnection(on, endPoint));
            }
        };
        // one acceptor and one selector: two cores, and a node's API clients are few
        connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, httpFactory.getProtocol()),
                httpFactory);
        connector.setHost(address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(128);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        server.setHandler(new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Connection connection = request.getConnectionMetaData().getConnection();
                slow.handling(connection, true);
                Request.addCompletionListener(request, failure -> slow.handling(connection, false));
                return super.handle(request, response, callback);
            }
        });
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(1000);
    }

    /** What serves the requests: each gets its blocking {@link Exchange}. */
    @FunctionalInterface
    interface ExchangeHandler {
        void handle(Exchange exchange) throws IOException;
    }

    /** A Jetty handler that serves every request through {@code handler}, on the request's own pool thread. */
    static Handler serving(ExchangeHandler handler) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                try (Exchange exchange = new Exchange(request, response, callback)) {
                    handler.handle(exchange);
                }
                return true;
            }
        };
    }

    /** Starts listening; the port is taken (or the start fails) when this returns. */
    static HttpsEndpoint start(InetSocketAddress address, SSLContext ssl, Limits limits, Handler handler) {
        HttpsEndpoint endpoint = new HttpsEndpoint(address, ssl, limits, handler);
        try {
            endpoint.server.start();
        } catch (Exception e) {
            endpoint.close();
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        endpoint.slow.start(endpoint.server.getScheduler());
        return endpoint;
    }

    /** The address and port listened on (the port chosen by the system when 0 was asked for). */
    InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    Server server() {
        return server;
    }

    @Override
    public void close() {
        slow.stop();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTPS listener did not stop: " + e.getMessage(), e);
        }
    }

    /**
     * Jetty's own refusals (a malformed request line, an oversized head, a path above the root) in the API's one
     * error body, so a client parses every error the same way. Jetty's message says what was wrong with the
     * request; nothing of the server's internals is in it.
     */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.write(true, body(status, message), callback);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            return body(status, reason);
        }

        private static ByteBuffer body(int status, String message) {
            ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND : status < 500 ? ErrorCode.INVALID_ARGUMENT
                    : ErrorCode.INTERNAL;
            String text = status >= 500 || message == null || message.isBlank()
                    ? "the request could not be served (HTTP " + status + ")" : message;
            return ByteBuffer.wrap(Json.write(new ErrorBody(code.name(), text, Map.of())));
        }
    }

    /**
     * Closes connections that keep sending a request without completing its head. A connection with no request
     * in the handler is "receiving" from the first sweep that sees new bytes on it until the handler gets the
     * request; one receiving for longer than the timeout is closed. Bytes read while a request is in the handler
     * (its body) do not count.
     */
    private static final class SlowRequests {
        private final long timeoutNanos;
        private final Map<Connection, State> open = new ConcurrentHashMap<>();
        private volatile Scheduler.Task sweep;
        private volatile Scheduler scheduler;

        private static final class State {
            long bytesSeen;
            long receivingSince = -1;
            int handling;
        }

        SlowRequests(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
        }

        Connection track(Connection connection) {
            open.put(connection, new State());
            connection.addEventListener(new Connection.Listener() {
                @Override
                public void onClosed(Connection closed) {
                    open.remove(closed);
                }
            });
            return connection;
        }

        /** A request of the connection enters ({@code true}) or leaves the handler. */
        void handling(Connection connection, boolean enters) {
            State state = connection == null ? null : open.get(connection);
            if (state != null) {
                synchronized (state) {
                    state.handling += enters ? 1 : -1;
                    state.bytesSeen = connection.getBytesIn();
                    state.receivingSince = -1;
                }
            }
        }

        void start(Scheduler on) {
            scheduler = on;
            schedule();
        }

        private void schedule() {
            Scheduler current = scheduler;
            if (current != null) {
                sweep = current.schedule(this::sweepOnce, 1, TimeUnit.SECONDS);
            }
        }

        private void sweepOnce() {
            long now = System.nanoTime();
            open.forEach((connection, state) -> {
                boolean tooSlow;
                synchronized (state) {
                    long bytes = connection.getBytesIn();
                    if (state.handling > 0) {
                        state.receivingSince = -1;
                    } else if (bytes != state.bytesSeen && state.receivingSince < 0) {
                        state.receivingSince = now;
                    }
                    state.bytesSeen = bytes;
                    tooSlow = state.receivingSince >= 0 && now - state.receivingSince > timeoutNanos;
                }
                if (tooSlow) {
                    connection.getEndPoint().close();
                }
            });
            schedule();
        }

        void stop() {
            scheduler = null;
            Scheduler.Task task = sweep;
            if (task != null) {
                task.cancel();
            }
        }
    }
}
