package io.quantix.rest.internal;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.service.MetricsService;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.RouterService;
import io.quantix.api.service.SecurityGroupService;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.TlsMaterial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's REST API: HTTPS only, on the JDK's own {@code HttpsServer} (module jdk.httpserver), owned by this
 * component.
 *
 * <p>Why not pax-web + the JAX-RS whiteboard: that stack (pax-web/Jetty, CXF, Aries JAX-RS, their Jackson
 * provider) is dozens of bundles and megabytes for what is here one dispatcher and a route table, and its
 * HTTPS connector reads the keystore password from a file under {@code etc/}. The JDK server needs no bundle at
 * all, takes an {@link SSLContext} built in memory from {@link TlsMaterial} (the password never leaves
 * {@code node.p12.pass}), and starts in milliseconds. Its limits, accepted here: HTTP/1.1 only and one thread
 * per open event stream (capped).
 */
@Component(configurationPid = RestServer.PID, immediate = true)
@Designate(ocd = RestServer.Config.class)
public class RestServer {
    static final String PID = "io.quantix.rest";
    static final String BASE = "/api/v1";
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** How long a request thread with nothing to do is kept. */
    private static final long IDLE_THREAD_SECONDS = 30;
    /**
     * The JDK server's limits against slow and idle clients (slowloris). They are JVM-wide system properties the
     * server reads once, when its first instance starts; each is set here unless the operator set it already
     * (Karaf's {@code etc/system.properties}). Checked against JDK 17.0.15's {@code sun.net.httpserver.ServerConfig}:
     * <ul>
     * <li>{@code maxReqTime}: seconds a request may take from its first byte (TLS handshake, headers and body)
     * until the body is read; a slower one is closed. The JDK server has no bound on the headers alone, so this
     * also bounds streamed uploads: 300 s is a 4 GiB image at 15 MB/s. Larger or slower uploads belong on gRPC.
     * <li>{@code idleInterval} / {@code clockTick}: a connection idle (or connected and silent) for 30 s is
     * closed, checked every second.
     * <li>{@code jdk.httpserver.maxConnections}: connections beyond 256 are closed as soon as accepted;
     * {@code maxIdleConnections}: at most 64 kept alive between requests.
     * </ul>
     * The response time stays unbounded on purpose: an event stream is one long response.
     */
    static final Map<String, String> LIMITS = Map.of(
            "sun.net.httpserver.maxReqTime", "300",
            "sun.net.httpserver.timerMillis", "1000",
            "sun.net.httpserver.idleInterval", "30",
            "sun.net.httpserver.clockTick", "1000",
            "jdk.httpserver.maxConnections", "256",
            "sun.net.httpserver.maxIdleConnections", "64");

    @ObjectClassDefinition(id = PID, name = "Quantix REST API")
    @interface Config {
        @AttributeDefinition(description = "HTTPS port of the API", min = "1", max = "65535")
        int port() default 8443;

        @AttributeDefinition(description = "Address to listen on; 0.0.0.0 for every interface")
        String host() default "0.0.0.0";

        @AttributeDefinition(description = "Largest request body accepted, in bytes; larger ones get 413", min = "1024")
        int maxBodyBytes() default 64 * 1024;

        @AttributeDefinition(description = "Threads serving requests; each open event stream holds one", min = "4")
        int threads() default 32;

        @AttributeDefinition(description = "Event streams open at once, at most (fewer than threads)", min = "1")
        int maxEventStreams() default 16;

        @AttributeDefinition(description = "Hours an Idempotency-Key is remembered", min = "1")
        int idempotencyHours() default 24;
    }

    @Reference
    private VmService vms;
    @Reference
    private StorageService storage;
    @Reference
    private NetworkService networks;
    @Reference
    private SecurityGroupService groups;
    @Reference
    private RouterService routers;
    @Reference
    private NodeService node;
    @Reference
    private GuestAgentService agents;
    @Reference
    private AdminAccount admin;
    @Reference
    private Authenticator authenticator;
    @Reference
    private TlsMaterial tls;
    /** Optional: the metrics feature may be absent or swapped while the API runs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MetricsService metrics;
    /** Optional: the cluster feature is not booted on a standalone node. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterService cluster;

    private HttpsServer server;
    private ExecutorService executor;
    private EventStream events;
    private Migrations migrations;
    private StaticSite site;
    private ServiceRegistration<EventHandler> eventRegistration;

    @Activate
    void activate(Config config, BundleContext context) throws IOException {
        if (config.maxEventStreams() >= config.threads()) {
            throw QuantixException.invalid("maxEventStreams must be lower than threads, or streams starve requests");
        }
        events = new EventStream(authenticator, config.maxEventStreams(), Duration.ofSeconds(15));
        List<Route> routes = new ArrayList<>();
        routes.addAll(new NodeResource(node).routes());
        BrowserSessions browser = new BrowserSessions();
        routes.addAll(new AuthResource(admin, authenticator, browser).routes());
        migrations = new Migrations(vms);
        routes.addAll(new VmResource(vms, new IdempotencyStore(Clock.systemUTC(),
                Duration.ofHours(config.idempotencyHours()), 10_000), migrations).routes());
        routes.addAll(new AgentResource(agents).routes());
        routes.addAll(new StorageResource(storage).routes());
        routes.addAll(new NetworkResource(networks, groups, routers).routes());
        routes.addAll(events.routes());
        Supplier<Optional<MetricsService>> metricsService = () -> Optional.ofNullable(metrics);
        routes.addAll(new MetricsResource(metricsService).routes());
        routes.addAll(new ClusterResource(() -> Optional.ofNullable(cluster)).routes());
        Dispatcher dispatcher = new Dispatcher(routes, admin, authenticator, browser, config.maxBodyBytes(),
                metricsService);

        site = StaticSite.tracking(context);
        // the API under /api/ and Prometheus' /metrics, the web console's files (if its bundle is installed) elsewhere
        HttpHandler root = exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            (path.startsWith("/api/") || path.equals(MetricsResource.PATH) ? dispatcher : site).handle(exchange);
        };

        // at most `threads` at once, but an idle node keeps none: each idle thread costs memory (platform overhead)
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.threads(), config.threads(), IDLE_THREAD_SECONDS,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads());
        pool.allowCoreThreadTimeOut(true);
        executor = pool;
        server = start(new InetSocketAddress(config.host(), config.port()), sslContext(tls), root, executor);

        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(EventConstants.EVENT_TOPIC, EventStream.TOPICS);
        eventRegistration = context.registerService(EventHandler.class, events, properties);
        LOG.info("REST API listening on https://{}:{}{} ({} endpoints)", config.host(), config.port(), BASE, routes.size());
    }

    @Deactivate
    void deactivate() {
        if (eventRegistration != null) {
            eventRegistration.unregister();
        }
        events.close();
        migrations.close();
        if (site != null) {
            site.close();
        }
        if (server != null) {
            server.stop(1);
        }
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts an HTTPS server with the {@link #LIMITS} against slow and idle clients, serving everything with
     * {@code handler}.
     */
    static HttpsServer start(InetSocketAddress address, SSLContext ssl, HttpHandler handler, Executor executor)
            throws IOException {
        LIMITS.forEach((property, value) -> {
            if (System.getProperty(property) == null) {
                System.setProperty(property, value);
            }
        });
        HttpsServer server = HttpsServer.create(address, 128);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = ssl.getDefaultSSLParameters();
                parameters.setProtocols(PROTOCOLS);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        return server;
    }

    /** Keys from the node's keystore, in memory only. */
    static SSLContext sslContext(TlsMaterial tls) {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(tls.keyManagers(), null, null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static ThreadFactory threads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "quantix-rest-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
