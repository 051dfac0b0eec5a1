package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A private OVN for this test JVM, started by src/test/sh/ovn-env.sh in a short temp directory on first use
 * and stopped (every daemon, the directory) when all tests have run. Test classes get it as a parameter:
 * {@code @ExtendWith(OvnEnv.Resolver.class)} and {@code @BeforeAll static void up(OvnEnv ovn)}.
 */
public final class OvnEnv implements ExtensionContext.Store.CloseableResource {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = MODULE.resolve("src/test/sh/ovn-env.sh");

    public final Path dir;
    final int nbTcpPort;

    private OvnEnv(Path dir, int nbTcpPort) {
        this.dir = dir;
        this.nbTcpPort = nbTcpPort;
    }

    static OvnEnv start() {
        assertEquals("root", System.getProperty("user.name"),
                "the OVN tests start OVS/OVN daemons and network namespaces: run them as root, or skip with -DskipITs");
        try {
            // short on purpose: Unix socket paths have at most 107 bytes
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "qxovn");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder("sh", SCRIPT.toString(), "start", dir.toString(), Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(MODULE.resolve("target/ovn-env.log").toFile()).start();
            assertEquals(0, p.waitFor(), "ovn-env.sh failed: see target/ovn-env.log");
            return new OvnEnv(dir, port);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String nbUnix() {
        return "unix:" + dir.resolve("nb.sock");
    }

    String nbTcp() {
        return "tcp:127.0.0.1:" + nbTcpPort;
    }

    /** The system-id ovn-env.sh gives the one chassis, which also hosts routers' uplinks. */
    static final String CHASSIS = "qx-test-chassis";

    /** A driver on this OVN's NB, as the DS component would make one from its configuration. */
    OvnNetworkDriver driver() {
        return new OvnNetworkDriver(new OvsdbClient(OvsdbEndpoint.parse(nbUnix()), java.time.Duration.ofSeconds(30)), "br-int",
                java.util.Optional.of(CHASSIS));
    }

    /** ovn-nbctl, for inspecting what the driver wrote (tests never create state with it). */
    public String nbctl(String... args) {
        return HostCommand.run(argv("ovn-nbctl", "--db=" + nbUnix(), args));
    }

    String sbctl(String... args) {
        return HostCommand.run(argv("ovn-sbctl", "--db=unix:" + dir.resolve("sb.sock"), args));
    }

    public String vsctl(String... args) {
        return HostCommand.run(argv("ovs-vsctl", "--db=unix:" + dir.resolve("ovs.sock"), args));
    }

    /** Makes the NB server drop every client connection, as a restart would. */
    void dropNbConnections() {
        HostCommand.run(List.of("ovs-appctl", "-t", dir.resolve("nb.ctl").toString(), "ovsdb-server/reconnect"));
    }

    private static List<String> argv(String tool, String db, String... args) {
        List<String> argv = new ArrayList<>(List.of(tool, db));
        argv.addAll(List.of(args));
        return argv;
    }

    @Override
    public void close() throws Exception {
        Process p = new ProcessBuilder("sh", SCRIPT.toString(), "stop", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(MODULE.resolve("target/ovn-env.log").toFile()))
                .start();
        p.waitFor();
    }

    /** Hands every test class the one OVN of this JVM, closed by JUnit once the last test has run. */
    public static final class Resolver implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
            return p.getParameter().getType() == OvnEnv.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext c) {
            return c.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(OvnEnv.class, k -> start(), OvnEnv.class);
        }
    }
}
