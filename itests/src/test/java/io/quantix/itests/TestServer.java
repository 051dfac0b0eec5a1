package io.quantix.itests;

import static org.junit.Assert.fail;

import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A real server for a storage backend, started from inside the node by the same script that the backend module's own
 * integration tests use ({@code bundles/<module>/src/test/sh/<script> start|stop DIR ...}), with its files in a
 * directory of its own under /tmp. {@link #close()} stops it and removes that directory. Needs root, as those
 * tests do.
 */
final class TestServer implements AutoCloseable {
    /** The node's system property naming the source tree's {@code bundles/} folder; set by QuantixTestSupport. */
    static final String BUNDLES = "quantix.itests.bundles";
    /** A first start on a fresh machine installs the server's Debian packages. */
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private final Path script;
    private final Path dir;

    /** Makes the server's directory; nothing runs yet. */
    TestServer(String module, String script) throws IOException {
        this.script = Path.of(System.getProperty(BUNDLES), module, "src", "test", "sh", script);
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "qx-st-" + module + "-");
    }

    /** Where the server keeps its files (and where a script may expect its inputs before the start). */
    Path dir() {
        return dir;
    }

    /** Starts the server; returns what the script printed (a port, an export path, ...). */
    String start(String... args) {
        return script("start", args);
    }

    @Override
    public void close() throws IOException {
        try {
            script("stop");
        } finally {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    private String script(String action, String... args) {
        List<String> argv = new ArrayList<>(List.of("sh", script.toString(), action, dir.toString()));
        argv.addAll(List.of(args));
        HostCommand.Result r = HostCommand.execute(argv, TIMEOUT);
        if (r.exitCode() != 0) {
            fail(script.getFileName() + " " + action + " failed (exit " + r.exitCode() + "):\n" + r.stderr());
        }
        return r.stdout().strip();
    }
}
