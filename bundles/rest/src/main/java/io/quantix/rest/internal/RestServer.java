package io.quantix.rest.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
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
    private AdminAccount admin;
    @Reference
    private Authenticator authenticator;
    @Reference
    private TlsMaterial tls;

    private HttpsServer server;
    private ExecutorService executor;
    private EventStream events;
    private Migrations migrations;
    private ServiceRegistration<EventHandler> eventRegistration;

    @Activate
    void activate(Config config, BundleContext context) throws IOException {
        if (config.maxEventStreams() >= config.threads()) {
            throw QuantixException.invalid("maxEventStreams must be lower than threads, or streams starve requests");
        }
        events = new EventStream(authenticator, config.maxEventStreams(), Duration.ofSeconds(15));
        List<Route> routes = new ArrayList<>();
        routes.addAll(new NodeResource(node).routes());
        routes.addAll(new AuthResource(admin, authenticator).routes());
        migrations = new Migrations(vms);
        routes.addAll(new VmResource(vms, new IdempotencyStore(Clock.systemUTC(),
                Duration.ofHours(config.idempotencyHours()), 10_000), migrations).routes());
        routes.addAll(new StorageResource(storage).routes());
        routes.addAll(new NetworkResource(networks, groups, routers).routes());
        routes.addAll(events.routes());
        Dispatcher dispatcher = new Dispatcher(routes, admin, authenticator, config.maxBodyBytes());

        SSLContext ssl = sslContext(tls);
        executor = Executors.newFixedThreadPool(config.threads(), threads());
        server = HttpsServer.create(new InetSocketAddress(config.host(), config.port()), 128);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = ssl.getDefaultSSLParameters();
                parameters.setProtocols(PROTOCOLS);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", dispatcher);
        server.setExecutor(executor);
        server.start();

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
