package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FileTransfer;
import io.quantix.api.agent.FreezeStatus;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestFile;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.GuestTelemetry;
import io.quantix.api.agent.ShutdownMode;
import io.quantix.agent.protocol.AgentFrames;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.Hello;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real guest agent program (a child JVM, see {@link GuestAgentProcess}) against the real host client over a
 * real Unix socket. The program runs on this host, not in a VM: what it reports is this host's /proc, and its
 * freeze, password, shutdown and clock commands are recording scripts.
 */
@Tag("guest-agent")
class QuantixAgentIT {
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final long MAX_FILE = 1 << 20;

    @TempDir
    Path dir;
    private final String vmId = UUID.randomUUID().toString();
    private Path diskA;
    private Path diskB;
    private GuestAgentProcess agent;
    private QuantixAgentClient client;

    @BeforeEach
    void start() throws Exception {
        diskA = Files.createDirectories(dir.resolve("disk a"));
        diskB = Files.createDirectories(dir.resolve("disk-b"));
        // two disk filesystems for the agent to report and "freeze"; the kernel escapes a space as \040
        Path mounts = dir.resolve("mounts");
        Files.writeString(mounts, "proc /proc proc rw 0 0\n"
                + "/dev/vda1 " + diskA.toString().replace(" ", "\\040") + " ext4 rw 0 0\n"
                + "/dev/vdb1 " + diskB + " xfs rw 0 0\n"
                + "tmpfs /run tmpfs rw 0 0\n");
        agent = new GuestAgentProcess(dir, vmId, "--mounts", mounts.toString(), "--max-file", Long.toString(MAX_FILE),
                "--heartbeat-seconds", "1");
        client = new QuantixAgentClient(agent.socket, "vm-it", CALL, Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        agent.close();
    }

    @Test
    void saysWhoItIsAndWhatItSupports() {
        AgentInfo info = client.info();
        assertEquals(AgentInfo.Kind.QUANTIX, info.kind());
        assertEquals("0.1.0", info.version());
        for (String c : List.of("exec", "file", "freeze", "password", "shutdown", "time-sync", "telemetry")) {
            assertTrue(info.supports(c), c + " in " + info.commands());
        }
    }

    @Test
    void telemetryMatchesProc() throws Exception {
        double uptimeBefore = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        GuestTelemetry t = client.telemetry();
        double uptimeAfter = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);

        Map<String, Long> meminfo = meminfoBytes();
        assertEquals(meminfo.get("MemTotal"), t.memoryTotalBytes());
        // MemAvailable moves all the time: the agent's figure is the kernel's within a tenth of the total
        assertTrue(Math.abs(meminfo.get("MemAvailable") - t.memoryAvailableBytes()) < t.memoryTotalBytes() / 10,
                t.memoryAvailableBytes() + " available, /proc/meminfo says " + meminfo.get("MemAvailable"));
        assertTrue(t.uptime().toSeconds() >= (long) uptimeBefore && t.uptime().toSeconds() <= (long) uptimeAfter + 1,
                t.uptime() + " between " + uptimeBefore + " and " + uptimeAfter);
        assertEquals(3, t.load().size());
        assertTrue(t.load().stream().allMatch(l -> l >= 0), t.load().toString());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(), t.hostname());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(), t.os().kernelRelease());
        assertEquals(sh("uname -m"), t.os().machine());
        assertEquals(sh(". /etc/os-release; echo \"$ID|$PRETTY_NAME|$VERSION_ID\""),
                t.os().id() + "|" + t.os().prettyName() + "|" + t.os().version());

        assertEquals(List.of(diskA.toString(), diskB.toString()),
                t.filesystems().stream().map(GuestTelemetry.Filesystem::mountpoint).toList(), "disk filesystems only");
        assertEquals(List.of("ext4", "xfs"), t.filesystems().stream().map(GuestTelemetry.Filesystem::type).toList());
        for (GuestTelemetry.Filesystem f : t.filesystems()) {
            assertEquals(Long.parseLong(sh("df -B1 --output=size '" + f.mountpoint() + "' | tail -n 1")),
                    f.totalBytes(), "size of " + f.mountpoint() + " as df says");
            assertTrue(f.usedBytes() > 0 && f.usedBytes() <= f.totalBytes(), f.toString());
        }
    }

    @Test
    void interfacesHaveTheMacsOfSysClassNet() throws Exception {
        List<GuestInterface> nics = client.interfaces();
        GuestInterface lo = nics.stream().filter(n -> n.name().equals("lo")).findFirst().orElseThrow();
        assertTrue(lo.addresses().stream().anyMatch(a -> a.address().equals("127.0.0.1") && a.prefix() == 8),
                lo.toString());
        for (GuestInterface n : nics) {
            String sys = Files.readString(Path.of("/sys/class/net", n.name(), "address")).trim();
            assertEquals(sys.equals("00:00:00:00:00:00") ? "" : sys, n.mac(), n.name());
        }
    }

    @Test
    void execStreamsItsOutputWhileItRunsThenItsExitCode() throws Exception {
        Path go = dir.resolve("go");
        StringBuilder seen = new StringBuilder();
        // the program waits for a file the listener creates on its first line: it ends only if output streams
        ExecRequest request = ExecRequest.builder("sh").args("-c", "echo ready; while [ ! -e '" + go + "' ]; do"
                + " sleep 0.05; done; echo err >&2; echo \"done $QX_WORD\"; exit 3").env("QX_WORD", "fine")
                .timeout(Duration.ofSeconds(20)).build();
        ExecResult r = client.exec(request, (stream, chunk) -> {
            seen.append(stream).append(':').append(new String(chunk, StandardCharsets.UTF_8));
            try {
                Files.writeString(go, "");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(3, r.exitCode(), r.stderrText());
        assertFalse(r.timedOut());
        assertEquals("ready\ndone fine\n", r.stdoutText());
        assertEquals("err\n", r.stderrText());
        assertTrue(seen.toString().startsWith("STDOUT:ready\n"), seen.toString());
        assertTrue(seen.toString().contains("STDERR:err\n"), seen.toString());
    }

    @Test
    void execReadsStdinAndTheTimeoutKillsTheProgram() throws Exception {
        ExecResult cat = client.exec(ExecRequest.builder("cat").stdin("to the guest".getBytes()).build());
        assertEquals("to the guest", cat.stdoutText());
        assertEquals(0, cat.exitCode());

        ExecResult slow = client.exec(ExecRequest.builder("sh").args("-c", "sleep 60 & sleep 60; echo never")
                .timeout(Duration.ofSeconds(1)).build());
        assertTrue(slow.timedOut());
        assertEquals(-1, slow.exitCode());
        assertEquals(9, slow.signal());
        assertEquals("", slow.stdoutText());
        assertTrue(ProcessHandle.of(slow.pid()).isEmpty(), "the killed program " + slow.pid() + " is gone");

        QuantixException missing = assertThrows(QuantixException.class,
                () -> client.exec(ExecRequest.builder("/no/such/program").build()));
        assertEquals(ErrorCode.NOT_FOUND, missing.code(), missing.getMessage());
    }

    @Test
    void severalCallsAreInFlightAtOnce() throws Exception {
        Path started = dir.resolve("started");
        Path go = dir.resolve("go");
        CompletableFuture<ExecResult> waiting = CompletableFuture.supplyAsync(() -> client.exec(ExecRequest
                .builder("sh").args("-c", ": > '" + started + "'; while [ ! -e '" + go + "' ]; do sleep 0.05; done;"
                        + " echo released").timeout(Duration.ofSeconds(30)).build()));
        agent.await("the exec's program running", Duration.ofSeconds(10), () -> Files.exists(started));
        // answered while the exec is still waiting on the same channel
        assertTrue(client.telemetry().memoryTotalBytes() > 0);
        assertEquals(FreezeStatus.THAWED, client.freezeStatus());
        assertFalse(waiting.isDone(), "the exec waits for its file");
        agent.await("a heartbeat (every second here)", Duration.ofSeconds(10), () -> client.lastHeartbeat() != null);
        Files.writeString(go, "");
        assertEquals("released\n", waiting.get(30, TimeUnit.SECONDS).stdoutText());
    }

    @Test
    void aFileGoesBothWaysWithItsChecksum() throws Exception {
        byte[] content = new byte[700 * 1024 + 13];
        new Random(7).nextBytes(content);
        Path target = diskA.resolve("blob.bin");
        FileTransfer sent = client.push(target.toString(), content);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        assertEquals(sha, sent.sha256());
        assertEquals(content.length, sent.bytes());
        assertArrayEquals(content, Files.readAllBytes(target), "what the guest's disk holds");
        GuestFile back = client.pull(target.toString(), content.length);
        assertArrayEquals(content, back.content());
        assertEquals(sha, back.sha256());
        assertEquals(List.of("blob.bin"), list(diskA), "no part file is left");
    }

    @Test
    void sizeLimitsRefuseAndChangeNothing() throws Exception {
        Path big = diskA.resolve("big.bin");
        Files.write(big, new byte[300_000]);
        QuantixException pull = assertThrows(QuantixException.class, () -> client.pull(big.toString(), 100_000));
        assertEquals(ErrorCode.INVALID_ARGUMENT, pull.code());
        assertTrue(pull.getMessage().contains("above the limit"), pull.getMessage());

        // above the guest's own --max-file: the old file stays as it was, and no part file is left
        Path kept = diskB.resolve("kept.txt");
        Files.writeString(kept, "old");
        QuantixException push = assertThrows(QuantixException.class,
                () -> client.push(kept.toString(), new byte[(int) MAX_FILE + 1]));
        assertEquals(ErrorCode.INVALID_ARGUMENT, push.code(), push.getMessage());
        assertEquals("old", Files.readString(kept));
        assertEquals(List.of("kept.txt"), list(diskB));
        // the channel is still in step
        assertEquals(3, client.pull(kept.toString(), 10).content().length);
    }

    @Test
    void freezeAndThawEveryDiskFilesystem() throws Exception {
        assertEquals(2, client.freeze());
        assertEquals(FreezeStatus.FROZEN, client.freezeStatus());
        assertEquals(ErrorCode.CONFLICT, assertThrows(QuantixException.class, client::freeze).code());
        assertEquals(2, client.thaw());
        assertEquals(FreezeStatus.THAWED, client.freezeStatus());
        // the inner mount first, thawed in the reverse order
        assertEquals(List.of("--freeze " + diskB, "--freeze " + diskA, "--unfreeze " + diskA, "--unfreeze " + diskB), agent.recorded("fsfreeze"));
    }

    @Test
    void theGuestThawsByItselfWhenTheHostGoesAway() throws Exception {
        try (QuantixAgentClient leaving = new QuantixAgentClient(agent.socket, "vm-it", CALL, Duration.ofMillis(1500))) {
            assertEquals(2, leaving.freeze());
        }
        agent.await("the guest's own thaw", Duration.ofSeconds(20), () -> {
            try {
                return agent.recorded("fsfreeze").size() == 4;
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(List.of("--freeze " + diskB, "--freeze " + diskA, "--unfreeze " + diskA, "--unfreeze " + diskB), agent.recorded("fsfreeze"));
        assertTrue(agent.output().contains("the freeze timed out"), agent.output());
        assertEquals(FreezeStatus.THAWED, client.freezeStatus());
    }

    @Test
    void passwordShutdownAndClockGoThroughTheGuestsCommands() throws Exception {
        client.setUserPassword("alice", "s3cret: with spaces".toCharArray());
        assertEquals(List.of("args:", "alice:s3cret: with spaces"), agent.recorded("chpasswd"));
        assertFalse(agent.output().contains("s3cret"), "the password is in no log");
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> client.setUserPassword("root\nmallory", "x".toCharArray())).code());

        long before = Instant.now().getEpochSecond();
        client.syncTime();
        long after = Instant.now().getEpochSecond();
        List<String> date = agent.recorded("date");
        assertEquals(1, date.size(), date.toString());
        long set = Long.parseLong(date.get(0).replaceFirst("^-u -s @(\\d+)\\.\\d{9}$", "$1"));
        assertTrue(set >= before && set <= after, date + " between " + before + " and " + after);

        Instant guest = client.time();
        assertTrue(Math.abs(guest.getEpochSecond() - Instant.now().getEpochSecond()) <= 1, guest.toString());

        client.shutdown(ShutdownMode.REBOOT);
        agent.await("the shutdown command", Duration.ofSeconds(10), () -> {
            try {
                return !agent.recorded("shutdown").isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(List.of("reboot"), agent.recorded("shutdown"));
    }

    @Test
    void garbageOnTheChannelIsSkipped() throws Exception {
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(agent.socket));
            byte[] garbage = new byte[100_000];
            new Random(3).nextBytes(garbage);
            // a header claiming 2 GiB, a cut frame, then a hello
            byte[] hello = AgentFrames.encode(AgentMessage.newBuilder().setId(42)
                    .setHello(Hello.newBuilder().addVersions(1)).build().toByteArray());
            ByteBuffer out = ByteBuffer.allocate(garbage.length + 8 + hello.length / 2 + hello.length);
            out.put(garbage).put(new byte[] {'Q', 'X', 'A', 1, 0x7f, -1, -1, -1}).put(hello, 0, hello.length / 2)
                    .put(hello).flip();
            while (out.hasRemaining()) {
                raw.write(out);
            }
            AgentFrames frames = new AgentFrames(AgentFrames.MAX_PAYLOAD);
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            AgentMessage reply = null;
            while (reply == null || reply.getId() == 0) { // heartbeats may come first
                byte[] payload = frames.next(in.flip());
                if (payload != null) {
                    reply = AgentMessage.parseFrom(payload);
                    in.compact().flip();
                    continue;
                }
                in.clear();
                assertTrue(raw.read(in) > 0, "the agent answers");
            }
            assertEquals(42, reply.getId());
            assertEquals(1, reply.getHelloReply().getVersion());
        }
        agent.await("the agent noting what it skipped", Duration.ofSeconds(10),
                () -> agent.output().contains("bytes that were not frames"));
        client.ping();
    }

    @Test
    void theComponentPrefersTheQuantixAgent() {
        GuestAgentsComponent agents = new GuestAgentsComponent();
        agents.activate("test:///default", CALL, Duration.ofSeconds(60), dir);
        try (GuestAgent quantix = agents.agent(vmId)) {
            assertEquals(AgentInfo.Kind.QUANTIX, quantix.info().kind());
        } finally {
            agents.deactivate();
        }
    }

    /**
     * What a user of a small guest checks: the agent's resident memory once it has served a round of calls and gone
     * idle, with the unit's flags and CDS archive. The figure is printed for the record.
     */
    @Test
    void staysSmallWhenIdleAfterCalls() throws Exception {
        for (int i = 0; i < 3; i++) {
            client.telemetry();
            client.interfaces();
            client.exec(ExecRequest.builder("sh").args("-c", "seq 1 20000").build());
            byte[] content = new byte[600 * 1024];
            client.push(diskA.resolve("f").toString(), content);
            client.pull(diskA.resolve("f").toString(), content.length);
            client.freeze();
            client.thaw();
        }
        // idle: the workers' keep-alive (10 s) ends their threads; wait for the agent's thread count to drop
        Path status = Path.of("/proc", Long.toString(agent.pid()), "status");
        agent.await("the agent's idle workers ending", Duration.ofSeconds(30), () -> {
            try {
                return Files.readAllLines(status).stream().noneMatch(l -> l.startsWith("Threads:")
                        && Integer.parseInt(l.replaceAll("[^0-9]", "")) > 16);
            } catch (IOException e) {
                return false;
            }
        });
        long rss = agent.rssKib();
        System.out.println("guest agent idle RSS after calls: " + rss + " KiB with " + GuestAgentProcess.JVM_FLAGS
                + " and a CDS archive");
        assertTrue(rss < 64 * 1024, rss + " KiB");
    }

    private static Map<String, Long> meminfoBytes() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().map(l -> l.split("[:\\s]+"))
                .collect(Collectors.toMap(f -> f[0], f -> Long.parseLong(f[1]) * 1024, (a, b) -> a));
    }

    private static String sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), script + ": " + out);
        return out;
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
