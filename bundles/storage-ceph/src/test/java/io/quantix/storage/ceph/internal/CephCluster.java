package io.quantix.storage.ceph.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.StoragePoolSpec;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the real-Ceph tests: starts a one-node cluster with the module's ceph-env.sh once per JVM,
 * in a temporary directory, and stops it when the JVM ends (a run killed before that leaves a cluster the next
 * start removes). Gives the tests pool definitions for it and the cluster admin's own view.
 */
final class CephCluster {
    private static final Logger LOG = LoggerFactory.getLogger(CephCluster.class);
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = MODULE.resolve("src/test/sh/ceph-env.sh");
    private static CephCluster started;

    /** What cluster.env says: the pool options a Quantix node is given, and the admin's ceph.conf. */
    final Map<String, String> options;
    private final Path conf;

    private CephCluster(Map<String, String> options, Path conf) {
        this.options = options;
        this.conf = conf;
    }

    static synchronized CephCluster start() throws IOException, InterruptedException {
        if (started != null) {
            return started;
        }
        assertEquals("root", System.getProperty("user.name"),
                "the Ceph integration tests install packages and start Ceph daemons: run them as root, or skip with -DskipITs");
        Path dir = Files.createTempDirectory("qx-ceph-");
        Files.createDirectories(MODULE.resolve("target"));
        long begin = System.nanoTime();
        Process setup = new ProcessBuilder("sh", SCRIPT.toString(), "start", dir.toString(),
                Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(MODULE.resolve("target/ceph-env.log").toFile()).start();
        int exit = setup.waitFor();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(dir), "ceph-env-stop"));
        assertEquals(0, exit, "ceph-env.sh start failed: see target/ceph-env.log");
        Properties env = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve("cluster.env"))) {
            env.load(in);
        }
        LOG.info("Ceph cluster up at {} in {} ms", env.getProperty("monitors"), (System.nanoTime() - begin) / 1_000_000);
        Path conf = Path.of(env.getProperty("conf"));
        env.remove("conf");
        Map<String, String> options = new TreeMap<>();
        env.forEach((k, v) -> options.put((String) k, (String) v));
        started = new CephCluster(Map.copyOf(options), conf);
        return started;
    }

    private static void stop(Path dir) {
        try {
            Process stop = new ProcessBuilder("sh", SCRIPT.toString(), "stop", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stop.waitFor();
        } catch (IOException e) {
            LOG.warn("could not stop the Ceph cluster in {}: {}", dir, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A pool on this cluster's RBD pool with the node's cephx user. */
    StoragePoolSpec pool(String name) {
        return new StoragePoolSpec(name, CephStorageBackend.NAME, options);
    }

    /** Runs the rbd CLI as the cluster's admin, beside the backend, to see what really is on the cluster. */
    String rbd(String... args) {
        return admin("rbd", args);
    }

    String ceph(String... args) {
        return admin("ceph", args);
    }

    private String admin(String tool, String... args) {
        List<String> argv = new ArrayList<>(List.of(tool, "-c", conf.toString()));
        argv.addAll(List.of(args));
        HostCommand.Result r = HostCommand.execute(argv, Duration.ofMinutes(2));
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed: " + r.stderr());
        }
        return r.stdout();
    }
}
