package io.quantix.rest.internal;

import io.quantix.api.ConsoleType;
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
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
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
 * The node's REST API: HTTPS only, on an embedded Jetty 12 owned by this component ({@link HttpsEndpoint}).
 *
 * <p>Why not pax-web + the JAX-RS whiteboard: that stack (pax-web, CXF, Aries JAX-RS, their Jackson provider) is
 * dozens of bundles and megabytes for what is here one dispatcher and a route table, and its HTTPS connector
 * reads the keystore password from a file under {@code etc/}. Jetty's core alone is six small bundles, takes an
 * {@link SSLContext} built in memory from {@link TlsMaterial} (the password never leaves {@code node.p12.pass}),
 * speaks WebSocket for the web console's VM console, and starts in milliseconds.
 */
@Component(configurationPid = RestServer.PID, immediate = true)
@Designate(ocd = RestServer.Config.class)
public class RestServer {
    static final String PID = "io.quantix.rest";
    static final String BASE = "/api/v1";
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);

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

        @AttributeDefinition(description = "Connections open at once, at most; more wait to be accepted", min = "1")
        int maxConnections() default 256;

        @AttributeDefinition(description = "Seconds a connection may stay silent before it is closed", min = "1")
        int idleTimeoutSeconds() default 30;

        @AttributeDefinition(description = "Seconds a request may take to arrive up to the end of its headers",
                min = "1")
        int requestHeadTimeoutSeconds() default 10;

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

    private HttpsEndpoint server;
    private EventStream events;
    private Migrations migrations;
    private StaticSite site;
    private ServiceRegistration<EventHandler> eventRegistration;

    @Activate
    void activate(Config config, BundleContext context) {
        if (config.maxEventStreams() >= config.threads()) {
            throw QuantixException.invalid("maxEventStreams must be lower than threads, or streams starve requests");
        }
        events = new EventStream(authenticator, config.maxEventStreams(), Duration.ofSeconds(15));
        List<Route> routes = new ArrayList<>();
        routes.addAll(new NodeResource(node).routes());
        BrowserSessions browser = new BrowserSessions();
        routes.addAll(new AuthResource(admin, authenticator, browser).routes());
        migrations = new Migrations(vms);
        routes.addAll(new VmResource(vms, agents, new IdempotencyStore(Clock.systemUTC(),
                Duration.ofHours(config.idempotencyHours()), 10_000), migrations).routes());
        routes.addAll(new AgentResource(agents).routes());
        routes.addAll(new StorageResource(storage).routes());
        routes.addAll(new NetworkResource(networks, groups, routers).routes());
        routes.addAll(events.routes());
        Supplier<Optional<MetricsService>> metricsService = () -> Optional.ofNullable(metrics);
        routes.addAll(new MetricsResource(metricsService).routes());
        routes.addAll(new ClusterResource(() -> Optional.ofNullable(cluster)).routes());
        ConsoleRelay consoles = new ConsoleRelay(vm -> vms.console(vm, ConsoleType.VNC), authenticator,
                Clock.systemUTC());
        routes.addAll(consoles.routes());
        Dispatcher dispatcher = new Dispatcher(routes, admin, authenticator, browser, config.maxBodyBytes(),
                metricsService);

        site = StaticSite.tracking(context);
        // the API under /api/ and Prometheus' /metrics, the web console's files (if its bundle is installed) elsewhere
        HttpsEndpoint.ExchangeHandler root = exchange -> {
            String path = exchange.rawPath();
            (path.startsWith("/api/") || path.equals(MetricsResource.PATH) ? dispatcher : site).handle(exchange);
        };
        HttpsEndpoint.Limits limits = new HttpsEndpoint.Limits(config.threads(), config.maxConnections(),
                Duration.ofSeconds(config.idleTimeoutSeconds()), Duration.ofSeconds(config.requestHeadTimeoutSeconds()));
        consoles.setHandler(HttpsEndpoint.serving(root));
        server = HttpsEndpoint.start(new InetSocketAddress(config.host(), config.port()), sslContext(tls), limits,
                consoles);

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
            server.close();
        }
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
}
