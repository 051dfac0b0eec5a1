package io.quantix.cluster.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join port of a member that holds the cluster CA: one HTTPS endpoint, {@code POST /cluster/v1/join}, whose
 * server certificate is the member's node certificate signed by the cluster CA. The join token is the credential,
 * so the endpoint needs no login; the CA's fingerprint in the token is what the joining node checks this server by.
 * Its own listener rather than a REST route: the REST port presents the node's self-signed certificate, not one the
 * cluster CA signed, so a joining node could not check it against the token.
 */
final class JoinServer implements AutoCloseable {
    static final String PATH = "/cluster/v1/join";
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(JoinServer.class);

    private final HttpsServer server;
    private final ExecutorService executor;

    private JoinServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static JoinServer start(String host, int port, KeyStore keyStore, char[] password,
            Function<Wire.JoinRequest, Wire.JoinResponse> admit) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, password);
            SSLContext tls = SSLContext.getInstance("TLSv1.3");
            tls.init(keys.getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 16);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            // joins are rare and each is short: two threads, so a flood of requests cannot take more
            ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
                Thread thread = new Thread(r, "quantix-cluster-join");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext(PATH, exchange -> handle(exchange, admit));
            server.start();
            LOG.info("Cluster join port listening on {}:{}", host, server.getAddress().getPort());
            return new JoinServer(server, executor);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot listen for joins on " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot set up TLS for the join port: " + e.getMessage(), e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, Function<Wire.JoinRequest, Wire.JoinResponse> admit) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, new Wire.ErrorReply(ErrorCode.NOT_FOUND.name(), "only POST " + PATH + " is served here"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_REQUEST_BYTES + 1);
            }
            if (body.length > MAX_REQUEST_BYTES) {
                reply(exchange, 413, new Wire.ErrorReply(ErrorCode.INVALID_ARGUMENT.name(), "a join request is at most 64 KiB"));
                return;
            }
            try {
                reply(exchange, 200, admit.apply(Wire.read(body, Wire.JoinRequest.class)));
            } catch (QuantixException e) {
                LOG.info("Refused a join from {}: {}", exchange.getRemoteAddress().getAddress().getHostAddress(), e.toString());
                reply(exchange, status(e.code()), new Wire.ErrorReply(e.code().name(), e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("A join from {} failed", exchange.getRemoteAddress().getAddress().getHostAddress(), e);
                reply(exchange, 500, new Wire.ErrorReply(ErrorCode.INTERNAL.name(), "the member failed to admit the node; see its log"));
            }
        }
    }

    private static int status(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> 401;
            case CONFLICT, ALREADY_EXISTS -> 409;
            case INVALID_ARGUMENT -> 400;
            case BACKEND_UNAVAILABLE -> 503;
            default -> 500;
        };
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Wire.write(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
