package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import io.quantix.api.Availability;
import io.quantix.api.BackendKind;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Volume;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.karaf.features.FeaturesService;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/**
 * Boots the real Quantix distribution, exactly as built, with its embedded defaults but for the API ports: the
 * REST and gRPC servers get free ephemeral ports, so that test runs never meet a node or another run on the
 * machine. Inside the container the tests find them in the system properties {@link #REST_PORT} and
 * {@link #GRPC_PORT}.
 */
public abstract class QuantixTestSupport {
    protected static final String REST_PORT = "quantix.test.rest.port";
    protected static final String GRPC_PORT = "quantix.test.grpc.port";

    @Configuration
    public Option[] config() {
        String repo = System.getProperty("maven.repo.local");
        String restPort = String.valueOf(freePort());
        String grpcPort = String.valueOf(freePort());
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(maven().groupId("io.quantix").artifactId("quantix-karaf-distribution")
                            .version(System.getProperty("quantix.version")).type("zip"))
                    .name("quantix").karafVersion(System.getProperty("karaf.version"))
                    .unpackDirectory(new File("target/exam")).useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            // the libvirt test driver on a file of this run, even on a host whose libvirtd and KVM auto mode would pick
            editConfigurationFilePut("etc/io.quantix.hypervisor.libvirt.cfg", "uri",
                    "test://" + new File("target/libvirt-" + UUID.randomUUID() + ".xml").getAbsoluteFile().toURI().getRawPath()),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", repo),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                    "file:" + repo + "@id=local@snapshots"),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""),
            editConfigurationFilePut("etc/io.quantix.rest.cfg", "port", restPort),
            editConfigurationFilePut("etc/io.quantix.grpc.cfg", "port", grpcPort),
            // the tests keep pool folders, keyrings and secrets in temporary folders, outside the node's data directory
            editConfigurationFilePut("etc/io.quantix.edge.cfg", "allowedRoots", System.getProperty("java.io.tmpdir")),
            editConfigurationFilePut("etc/system.properties", REST_PORT, restPort),
            editConfigurationFilePut("etc/system.properties", GRPC_PORT, grpcPort),
            // Pax Exam's extender waits this long (default 10 s) for its JUnit invoker service once the probe bundle
            // is in; on a loaded 2-core machine the boot features are still installing by then, the extender gives
            // up for good and the test only fails 180 s later with "gave up waiting for service ProbeInvoker".
            systemProperty("org.ops4j.pax.exam.raw.extender.intern.Parser.DEFAULT_TIMEOUT").value("180000"),
            // where the storage modules' test-server scripts are (TestServer)
            systemProperty(TestServer.BUNDLES).value(
                    new File(System.getProperty("basedir", "."), "../bundles").toPath().toAbsolutePath().normalize().toString()),
        };
    }

    /** A port free right now, on loopback: the kernel picks it from the ephemeral range. */
    protected static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call made only for its failure. */
    @FunctionalInterface
    protected interface Call {
        void run() throws Exception;
    }

    /** Asserts that the call fails with a Quantix error of this code, and returns it. */
    protected static QuantixException assertFails(ErrorCode code, Call call) {
        try {
            call.run();
        } catch (QuantixException e) {
            assertEquals(e.getMessage(), code, e.code());
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected " + code + " but got " + e, e);
        }
        fail("expected " + code + " but the call succeeded");
        return null;
    }

    /** Installs a backend's feature and waits until the core has bound the backend. */
    protected static void installBackend(FeaturesService features, NodeService node, String feature, BackendKind kind,
            String name) throws Exception {
        features.installFeature(feature);
        await(name + " backend bound", () -> node.backends().stream()
                .anyMatch(b -> b.kind() == kind && b.name().equals(name)));
    }

    /**
     * The storage hot-swap contract on one pool: with the backend's feature removed the pool is still listed but
     * UNAVAILABLE and no volume call reaches it, while {@code whileAway} checks that its data is untouched behind the
     * backend's back; with the feature installed again the pool is AVAILABLE with exactly the volumes it had.
     */
    protected static void swapStorageBackend(FeaturesService features, StorageService storage, String feature,
            String pool, Call whileAway) throws Exception {
        List<Volume> before = storage.listVolumes(pool);
        features.uninstallFeature(feature);
        await("pool " + pool + " unavailable", () -> storage.getPool(pool).status() == Availability.UNAVAILABLE);
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> storage.listVolumes(pool));
        whileAway.run();

        features.installFeature(feature);
        await("pool " + pool + " available", () -> storage.getPool(pool).status() == Availability.AVAILABLE);
        assertEquals("the volumes after the reinstall", before, storage.listVolumes(pool));
    }

    /** Polls until the condition holds: OSGi services come and go asynchronously after a feature change. */
    protected static void await(String what, Callable<Boolean> condition) throws Exception {
        await(what, Duration.ofSeconds(30), condition, () -> "");
    }

    /** The same, at most {@code within}; a failure also says what {@code now} reports at that moment, if anything. */
    static void await(String what, Duration within, Callable<Boolean> condition, Callable<String> now) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!Boolean.TRUE.equals(condition.call())) {
            if (System.nanoTime() > deadline) {
                String state = now.call();
                fail("timed out after " + within.toSeconds() + " s waiting for: " + what + (state.isEmpty() ? "" : " (now: " + state + ")"));
            }
            Thread.sleep(100);
        }
    }
}
