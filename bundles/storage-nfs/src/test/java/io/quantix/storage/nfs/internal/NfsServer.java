package io.quantix.storage.nfs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real nfs-ganesha on 127.0.0.1, started and stopped by the module's src/test/sh/nfs-env.sh. */
final class NfsServer implements AutoCloseable {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    final Path dir;
    /** The exported directory: the test reads the files behind the backend's back through it. */
    final Path export;

    private NfsServer(Path dir, Path export) {
        this.dir = dir;
        this.export = export;
    }

    static NfsServer start() throws IOException, InterruptedException {
        assertEquals("root", System.getProperty("user.name"),
                "the NFS integration tests install and start nfs-ganesha: run them as root, or skip with -DskipITs");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "qx-st-nfs");
        Process p = new ProcessBuilder("sh", MODULE.resolve("src/test/sh/nfs-env.sh").toString(), "start", dir.toString())
                .redirectError(MODULE.resolve("target/nfs-env.log").toFile()).start();
        String export = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), "nfs-env.sh failed: see target/nfs-env.log");
        return new NfsServer(dir, Path.of(export));
    }

    /** Stops ganesha (and rpcbind if the script started it); the export's files stay for the test to look at. */
    void stop() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", MODULE.resolve("src/test/sh/nfs-env.sh").toString(), "stop", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(MODULE.resolve("target/nfs-env.log")
                        .toFile())).start();
        assertEquals(0, p.waitFor(), "nfs-env.sh stop failed: see target/nfs-env.log");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
