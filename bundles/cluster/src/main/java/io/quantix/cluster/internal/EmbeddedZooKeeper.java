package io.quantix.cluster.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.cluster.MemberRole;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * This node's ZooKeeper server, in process, with its data under the given folder. Always a quorum peer
 * ({@code standaloneEnabled=false}) with dynamic reconfiguration on, so a one-member cluster grows by reconfig alone;
 * the Jetty admin server is off and only the {@code srvr} four-letter command answers (for the member's mode).
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    /** {@code server.<id>=<host>:<quorum>:<election>:<role>;<client host>:<client port>} as ZooKeeper writes it. */
    private static final Pattern SERVER = Pattern.compile(
            "server\\.(\\d+)=([^:;]+|\\[[^\\]]+\\]):(\\d+):(\\d+)(?::(participant|observer))?;(?:([^;]*):)?(\\d+)");
    private static final String CONFIG_PREFIX = "zookeeper.configuration";

    private final ZooKeeperServerEmbedded server;

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server) {
        this.server = server;
    }

    /** One line of the ensemble's configuration. */
    record Server(long id, String host, int quorumPort, int electionPort, MemberRole role, String clientHost, int clientPort) {
        String line() {
            return "server." + id + "=" + host + ":" + quorumPort + ":" + electionPort + ":" + role.name().toLowerCase(Locale.ROOT)
                    + ";" + clientHost + ":" + clientPort;
        }

        String clientAddress() {
            return clientHost + ":" + clientPort;
        }

        static Optional<Server> parse(String line) {
            Matcher m = SERVER.matcher(line.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            MemberRole role = "observer".equals(m.group(5)) ? MemberRole.OBSERVER : MemberRole.PARTICIPANT;
            String clientHost = m.group(6) == null || m.group(6).isEmpty() || m.group(6).equals("0.0.0.0") ? m.group(2) : m.group(6);
            return Optional.of(new Server(Long.parseLong(m.group(1)), m.group(2), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), role, clientHost, Integer.parseInt(m.group(7))));
        }
    }

    /** The servers of a configuration as ZooKeeper prints it ({@code /zookeeper/config}); other lines are skipped. */
    static List<Server> parseConfig(String config) {
        List<Server> servers = new ArrayList<>();
        for (String line : config.split("\n")) {
            Server.parse(line).ifPresent(servers::add);
        }
        return servers;
    }

    /**
     * Starts server {@code id} of an ensemble of {@code servers} (this one among them) and waits at most
     * {@code timeout} for it to run; it may still be electing a leader then.
     */
    static EmbeddedZooKeeper start(Path dir, long id, List<Server> servers, Duration tickTime, Duration timeout) {
        try {
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            // ZooKeeper finds its id in the data folder, not in the configuration
            Files.writeString(data.resolve("myid"), Long.toString(id) + "\n", StandardCharsets.US_ASCII);
            deleteOldConfigurations(dir);
            Properties config = new Properties();
            config.setProperty("dataDir", data.toString());
            config.setProperty("tickTime", Long.toString(tickTime.toMillis()));
            config.setProperty("initLimit", "10");
            config.setProperty("syncLimit", "5");
            config.setProperty("standaloneEnabled", "false");
            config.setProperty("reconfigEnabled", "true");
            config.setProperty("admin.enableServer", "false");
            config.setProperty("4lw.commands.whitelist", "srvr");
            config.setProperty("autopurge.snapRetainCount", "3");
            config.setProperty("autopurge.purgeInterval", "24");
            for (Server server : servers) {
                config.setProperty("server." + server.id(), server.line().substring(server.line().indexOf('=') + 1));
            }
            // ZooKeeper loads its metrics provider through the thread's context class loader, and its threads inherit
            // it: in OSGi that is the caller's (the shell's, an RMI thread's), which cannot see ZooKeeper's classes
            Thread thread = Thread.currentThread();
            ClassLoader caller = thread.getContextClassLoader();
            thread.setContextClassLoader(ZooKeeperServerEmbedded.class.getClassLoader());
            try {
                ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder().baseDir(dir).configuration(config)
                        .exitHandler(ExitHandler.LOG_ONLY).build();
                try {
                    server.start(timeout.toMillis());
                } catch (Exception e) {
                    server.close();
                    throw e;
                }
                return new EmbeddedZooKeeper(server);
            } finally {
                thread.setContextClassLoader(caller);
            }
        } catch (QuantixException e) {
            throw e;
        } catch (Exception e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the embedded ZooKeeper server did not start within "
                    + timeout.toSeconds() + " s: " + e, e);
        }
    }

    /** Each start writes a fresh configuration file (and ZooKeeper its dynamic files beside it): drop the old ones. */
    private static void deleteOldConfigurations(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, CONFIG_PREFIX + "*")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * The mode of the ZooKeeper server at {@code host:port} ({@code leader}, {@code follower}, {@code observer},
     * {@code standalone}) from its {@code srvr} command; empty if it does not answer within {@code timeout} or is not
     * serving (no quorum).
     */
    static Optional<String> mode(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(8192), StandardCharsets.US_ASCII);
            for (String line : answer.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return Optional.of(line.substring("Mode: ".length()).strip());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
