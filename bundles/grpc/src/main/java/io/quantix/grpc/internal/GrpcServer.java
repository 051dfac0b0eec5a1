package io.quantix.grpc.internal;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.TlsMaterial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The node's gRPC API: TLS only (the node's own certificate from {@link TlsMaterial}), the
 * {@code quantix.node.v1.NodeDaemonService}, the standard health service and server reflection, all behind
 * {@link AuthInterceptor}.
 *
 * <p>The server runs on Netty event-loop groups and executors of its own, all shut down in {@link #deactivate}:
 * gRPC's shared defaults would outlive the component and log after the logging bundle has stopped.
 */
@Component(configurationPid = GrpcServer.PID, immediate = true)
@Designate(ocd = GrpcServer.Config.class)
public class GrpcServer {
    static final String PID = "io.quantix.grpc";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);
    /** How long a call thread with nothing to do is kept. */
    private static final long IDLE_THREAD_SECONDS = 30;

    @ObjectClassDefinition(id = PID, name = "Quantix gRPC API")
    @interface Config {
        @AttributeDefinition(description = "TLS port of the gRPC API", min = "0", max = "65535")
        int port() default 9443;

        @AttributeDefinition(description = "Address to listen on; 0.0.0.0 for every interface")
        String host() default "0.0.0.0";

        @AttributeDefinition(description = "Threads running calls (each running migration and upload holds one)", min = "4")
        int threads() default 32;

        @AttributeDefinition(description = "Event and metric streams open at once, at most", min = "1")
        int maxStreams() default 64;

        @AttributeDefinition(description = "Largest message accepted, in bytes (upload chunks included)", min = "65536")
        int maxMessageBytes() default 4 * 1024 * 1024;

        @AttributeDefinition(description = "Seconds between checks that each open stream's token has not expired (a revoked token ends its streams at once)", min = "1")
        int tokenCheckSeconds() default 15;
    }

    /** Optional: the cluster feature is not booted on a standalone node. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterService cluster;

    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final OpenStreams streams;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ServiceRegistration<EventHandler> eventRegistration;

    @Activate
    public GrpcServer(@Reference VmService vms, @Reference StorageService storage, @Reference NetworkService networks,
            @Reference NodeService node, @Reference AdminAccount admin, @Reference Authenticator authenticator,
            @Reference TlsMaterial tls, @Reference GuestAgentService agents, Config config, BundleContext context)
            throws IOException {
        // at most `threads` at once, but an idle node keeps none: each idle thread costs memory (platform overhead)
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.threads(), config.threads(), IDLE_THREAD_SECONDS,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads("quantix-grpc-"));
        pool.allowCoreThreadTimeOut(true);
        executor = pool;
        timer = Executors.newScheduledThreadPool(2, threads("quantix-grpc-timer-"));
        boss = new NioEventLoopGroup(1, threads("quantix-grpc-accept-"));
        workers = new NioEventLoopGroup(2, threads("quantix-grpc-io-"));
        streams = new OpenStreams(authenticator, config.maxStreams());
        EventStreams events = new EventStreams(streams);
        NodeDaemon daemon = new NodeDaemon(vms, storage, networks, node, admin, authenticator, events,
                new MetricStreams(vms, streams, timer), executor, () -> Optional.ofNullable(cluster), agents);
        AuthInterceptor auth = new AuthInterceptor(admin, authenticator);
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()),
                    TlsServerCredentials.newBuilder().keyManager(tls.keyManagers()).build())
                    .bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(NioServerSocketChannel.class)
                    .executor(executor)
                    .maxInboundMessageSize(config.maxMessageBytes())
                    .addService(ServerInterceptors.intercept(daemon, auth))
                    .addService(ServerInterceptors.intercept(new GuestAgentDaemon(agents), auth))
                    .addService(ServerInterceptors.intercept(health.getHealthService(), auth))
                    .addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), auth))
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            shutdownResources();
            throw e;
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(NodeDaemonServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        timer.scheduleWithFixedDelay(streams::checkTokens, config.tokenCheckSeconds(), config.tokenCheckSeconds(),
                TimeUnit.SECONDS);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(EventConstants.EVENT_TOPIC, EventStreams.TOPICS);
        eventRegistration = context.registerService(EventHandler.class, events, properties);
        LOG.info("gRPC API listening on {}:{} (TLS)", config.host(), server.getPort());
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        eventRegistration.unregister();
        health.enterTerminalState();
        streams.close();
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        shutdownResources();
    }

    private void shutdownResources() {
        timer.shutdownNow();
        executor.shutdownNow();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
