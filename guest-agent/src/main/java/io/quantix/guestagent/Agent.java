package io.quantix.guestagent;

import io.quantix.agent.protocol.AgentFrames;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.Heartbeat;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Quantix guest agent: serves quantix/agent/v1/agent.proto on the VM's virtio-serial port. Usage:
 * {@code java -jar quantix-guest-agent.jar [--check] [--port DEVICE | --listen SOCKET] [options]} (see
 * {@link AgentConfig}).
 */
public final class Agent {
    static final String VERSION = "0.1.0";
    static final List<String> CAPABILITIES = List.of("telemetry", "interfaces", "exec", "exec-stream", "file",
            "freeze", "password", "shutdown", "time", "time-sync", "heartbeat");

    private final AgentConfig config;
    private final Instant started = Instant.now();
    private final ScheduledExecutorService timer;
    private final ThreadPoolExecutor workers;
    private final Telemetry telemetry;
    private final Execs execs = new Execs();
    private final Freezer freezer;
    private final SystemCalls system;
    private volatile Session session;

    Agent(AgentConfig config) {
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "timer"));
        // idle workers end, so an idle agent keeps few threads (and their stacks)
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 10, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(8 * config.workers()), r -> daemon(r, "worker-" + n.incrementAndGet()));
        workers.allowCoreThreadTimeOut(true);
        this.telemetry = new Telemetry(config);
        this.freezer = new Freezer(config, timer);
        this.system = new SystemCalls(config);
    }

    public static void main(String[] args) throws IOException {
        boolean check = args.length > 0 && args[0].equals("--check");
        AgentConfig config;
        try {
            config = AgentConfig.parse(check ? Arrays.copyOfRange(args, 1, args.length) : args);
        } catch (IllegalArgumentException e) {
            System.err.println("quantix-guest-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (check) {
            check(config);
            return;
        }
        new Agent(config).serve();
    }

    /**
     * {@code --check}: reads what a telemetry and an interfaces request would answer, through the framing and back,
     * prints it and exits; a health check, and the run the package's postinst records its class-data sharing archive
     * from (so the archive holds the classes a request loads).
     */
    private static void check(AgentConfig config) throws IOException {
        AgentMessage m = AgentMessage.newBuilder().setId(1).setTelemetry(new Telemetry(config).read()).build();
        AgentMessage i = AgentMessage.newBuilder().setId(2).setInterfaces(Telemetry.interfaces()).build();
        AgentFrames frames = new AgentFrames(AgentFrames.MAX_PAYLOAD);
        java.nio.ByteBuffer both = java.nio.ByteBuffer.wrap(concat(AgentFrames.encode(m.toByteArray()),
                AgentFrames.encode(i.toByteArray())));
        System.out.print(AgentMessage.parseFrom(frames.next(both)));
        System.out.print(AgentMessage.parseFrom(frames.next(both)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Serves host connections one after another, until the process ends. */
    void serve() throws IOException {
        AtomicLong sequence = new AtomicLong();
        timer.scheduleAtFixedRate(() -> {
            Session s = session;
            if (s != null) {
                s.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                        .setSequence(sequence.incrementAndGet()).setUnixMs(System.currentTimeMillis())).build());
            }
        }, config.heartbeat().toMillis(), config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
        Log.info("quantix-guest-agent " + VERSION + " on " + (config.port() != null ? config.port() : config.listen()));
        if (config.port() != null) {
            while (true) {
                try (Link link = Link.port(config.port())) {
                    serve(link);
                } catch (IOException e) {
                    // no port yet (the module loads late) or it failed: try again, without spinning
                    Log.info("port " + config.port() + ": " + e.getMessage());
                    sleep(2000);
                }
            }
        }
        try (ServerSocketChannel server = Link.listen(config.listen())) {
            while (true) {
                try (Link link = Link.accepted(server.accept())) {
                    serve(link);
                } catch (IOException e) {
                    Log.info("host connection: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Link link) throws IOException {
        Session s = new Session(link, this, workers);
        session = s;
        try {
            s.run();
        } finally {
            session = null;
        }
    }

    AgentConfig config() {
        return config;
    }

    Instant started() {
        return started;
    }

    Telemetry telemetry() {
        return telemetry;
    }

    Execs execs() {
        return execs;
    }

    Freezer freezer() {
        return freezer;
    }

    SystemCalls system() {
        return system;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, "agent-" + name);
        t.setDaemon(true);
        return t;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
