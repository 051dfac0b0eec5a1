package io.quantix.agent.internal;

import com.google.protobuf.Message;
import io.quantix.agent.protocol.AgentFrames;
import io.quantix.guestagent.Agent;
import io.quantix.proto.agent.v1.AgentMessage;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The real Quantix guest agent program (guest-agent/, its main class) in a child JVM on this host, listening on a
 * Unix socket where a VM's QEMU would, with the JVM flags its systemd unit uses. Its system commands (fsfreeze,
 * chpasswd, shutdown, date, hwclock) are scripts in {@code dir} that write down how they were called, so a test
 * never freezes, re-passwords or powers off this host.
 */
final class GuestAgentProcess implements AutoCloseable {
    /** As in guest-agent/src/deb/systemd/quantix-guest-agent.service, whose archive is {@link #archive()}. */
    static final List<String> JVM_FLAGS = List.of("-Xmx16m", "-Xss256k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:MaxMetaspaceSize=32m", "-XX:ReservedCodeCacheSize=16m",
            "-XX:-UsePerfData", "-Xshare:auto");
    private static Path archive;

    final Path dir;
    final Path socket;
    final Path log;
    private final Process process;

    /**
     * @param vmId names the socket {@code <vmId>.agent.sock}, as the libvirt backend names a VM's channel
     * @param options more agent options (--max-file, --mounts...)
     */
    GuestAgentProcess(Path dir, String vmId, String... options) throws IOException, InterruptedException {
        this.dir = dir;
        this.socket = dir.resolve(vmId + ".agent.sock");
        this.log = dir.resolve("agent.log");
        List<String> argv = new ArrayList<>();
        argv.add(java());
        argv.addAll(JVM_FLAGS);
        argv.add("-XX:SharedArchiveFile=" + archive());
        argv.add("-cp");
        argv.add(classpath());
        argv.add(Agent.class.getName());
        argv.addAll(List.of("--listen", socket.toString(), "--fsfreeze", recorder("fsfreeze"), "--chpasswd",
                stdinRecorder("chpasswd"), "--shutdown", recorder("shutdown"), "--date", recorder("date"),
                "--hwclock", recorder("hwclock")));
        argv.addAll(List.of(options));
        process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("the agent listening on " + socket, Duration.ofSeconds(30), () -> Files.exists(socket));
    }

    /**
     * The class-data sharing archive, made once a test run as the package's postinst makes it: a {@code --check}
     * run of the agent that dumps the classes it loaded.
     */
    static synchronized Path archive() throws IOException, InterruptedException {
        if (archive == null) {
            Path dir = Files.createTempDirectory("quantix-agent-cds");
            Path jsa = dir.resolve("agent.jsa");
            Process p = new ProcessBuilder(java(), "-XX:ArchiveClassesAtExit=" + jsa, "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-cp", classpath(), Agent.class.getName(), "--check")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("check.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(jsa)) {
                p.destroyForcibly();
                throw new AssertionError("agent --check did not write a CDS archive: "
                        + Files.readString(dir.resolve("check.log")));
            }
            jsa.toFile().deleteOnExit();
            dir.resolve("check.log").toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            archive = jsa;
        }
        return archive;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Its resident memory (VmRSS) in KiB. */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    /** The program's own jar (shaded, from the reactor or the local repository) or, in an IDE, its classes. */
    private static String classpath() {
        Set<String> cp = new LinkedHashSet<>();
        for (Class<?> c : List.of(Agent.class, AgentFrames.class, AgentMessage.class, Message.class)) {
            try {
                cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, cp);
    }

    /** A script that appends its arguments as one line to {@code <name>.log}. */
    private String recorder(String name) throws IOException {
        Path script = dir.resolve(name + ".sh");
        Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + dir.resolve(name + ".log") + "'\n");
        script.toFile().setExecutable(true);
        return script.toString();
    }

    /** A script that writes its arguments and then its standard input to {@code <name>.log}. */
    private String stdinRecorder(String name) throws IOException {
        Path script = dir.resolve(name + ".sh");
        Path out = dir.resolve(name + ".log");
        Files.writeString(script, "#!/bin/sh\necho \"args:$*\" > '" + out + "'\ncat >> '" + out + "'\n");
        script.toFile().setExecutable(true);
        return script.toString();
    }

    /** Lines a recorder wrote so far. */
    List<String> recorded(String name) throws IOException {
        Path f = dir.resolve(name + ".log");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    long pid() {
        return process.pid();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no agent log: " + e.getMessage() + ")";
        }
    }

    /** Polls {@code condition} every 50 ms until {@code limit}; fails saying what it waited for, with the agent's log. */
    void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what + (process.isAlive() ? ""
                        : " (the agent exited " + process.exitValue() + ")") + "; agent log:\n" + output());
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
