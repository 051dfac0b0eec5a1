package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
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
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quantix guest agent program inside a real guest under QEMU on the host's libvirtd: the tiny guest with a
 * jlink'd Java runtime and this build's agent jar (src/test/sh/qga-guest-env.sh), reached as a node reaches it,
 * over the channel socket of org.quantix.agent.0. What it reports is the guest's /proc and /sys, and its freeze,
 * password and shutdown are the guest's own. The figures the guest-agent issue asks for are logged as
 * {@code QXA-FIGURE} lines (they are measurements, not assertions).
 */
@Tag("libvirtd")
class QuantixAgentGuestIT {
    private static final Logger LOG = LoggerFactory.getLogger(QuantixAgentGuestIT.class);
    private static final String NAME = "qx-it-qxa";
    private static final String MAC = "52:54:00:71:0b:03";

    private static QgaGuest guest;
    private static GuestAgent agent;

    @BeforeAll
    static void boot() throws Exception {
        guest = QgaGuest.bootWithQuantixAgent(NAME, MAC, "qxabr0");
    }

    /** Every test starts from a running guest whose Quantix agent answers, whatever an earlier test left. */
    @BeforeEach
    void guestRunning() throws Exception {
        guest.running();
        agent = guest.agent();
    }

    @AfterAll
    static void shutDown() throws Exception {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    void theQuantixAgentAnswersAndSaysWhatItSupports() {
        AgentInfo info = agent.info();
        assertEquals(AgentInfo.Kind.QUANTIX, info.kind(), "the node prefers the Quantix agent over the guest's qemu-ga");
        for (String c : List.of("exec", "file", "freeze", "password", "shutdown", "time-sync", "telemetry")) {
            assertTrue(info.supports(c), c + " in " + info.commands());
        }
        Matcher check = Pattern.compile("QUANTIX-QXA-CHECK-MS (\\d+)").matcher(guest.console());
        assertTrue(check.find(), "the guest timed the agent's --check run: " + guest.console());
        figure("agent start (--check run, JVM start to exit, in the guest)", check.group(1) + " ms");
    }

    @Test
    void telemetryIsTheGuestsOwn() {
        GuestTelemetry t = agent.telemetry();
        // 384 MiB of guest RAM less what the kernel keeps for itself
        assertTrue(t.memoryTotalBytes() > 300 * Validation.MIB && t.memoryTotalBytes() <= 384 * Validation.MIB,
                "MemTotal " + t.memoryTotalBytes());
        assertTrue(t.memoryAvailableBytes() > 0 && t.memoryAvailableBytes() < t.memoryTotalBytes(), t.toString());
        assertEquals(QgaGuest.HOSTNAME, t.hostname());
        assertEquals(sh("uname -r"), t.os().kernelRelease());
        assertEquals("quantix-test", t.os().id());
        assertTrue(t.uptime().toSeconds() > 0, t.uptime().toString());
        GuestTelemetry.Filesystem data = t.filesystems().stream().filter(f -> f.mountpoint().equals("/data"))
                .findFirst().orElseThrow(() -> new AssertionError("/data in " + t.filesystems()));
        assertEquals("ext4", data.type());
        assertEquals(Long.parseLong(sh("df -k /data | tail -n 1 | awk '{print $2}'")) * 1024, data.totalBytes(),
                "the data disk's size as the guest's df says");

        long[] micros = new long[21];
        for (int i = 0; i < micros.length; i++) {
            long start = System.nanoTime();
            agent.telemetry();
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        Arrays.sort(micros);
        figure("telemetry round trip (median of 21)", micros[10] / 1000.0 + " ms");
        // the agent's own resident memory: the exec'd shell's parent is the agent's JVM
        String rss = sh("grep VmRSS /proc/$PPID/status | tr -s ' ' | cut -d' ' -f2");
        assertTrue(Long.parseLong(rss) > 0, rss);
        figure("agent VmRSS in the guest, after calls", Long.parseLong(rss) / 1024 + " MiB");
    }

    @Test
    void theGuestsNicHasItsMacAndAddress() {
        GuestInterface eth0 = agent.interfaces().stream().filter(n -> n.name().equals("eth0")).findFirst()
                .orElseThrow();
        assertEquals(MAC, eth0.mac());
        assertTrue(eth0.addresses().stream().anyMatch(a -> a.address().equals(QgaGuest.IP) && a.prefix() == 24),
                eth0.toString());
    }

    @Test
    void execStreamsOutputWhileTheProgramRunsAndItsTimeoutKillsIt() {
        long[] firstChunk = {0};
        long start = System.nanoTime();
        ExecResult r = agent.exec(ExecRequest.builder("sh").args("-c", "echo ready; sleep 3; echo done >&2; exit 4")
                .timeout(Duration.ofSeconds(60)).build(), (stream, chunk) -> {
                    if (firstChunk[0] == 0) {
                        firstChunk[0] = System.nanoTime();
                    }
                });
        long end = System.nanoTime();
        assertEquals(4, r.exitCode());
        assertEquals("ready\n", r.stdoutText());
        assertEquals("done\n", r.stderrText());
        // the guest sleeps 3 s after its first line: a streamed line arrives well before the result
        assertTrue(firstChunk[0] != 0 && end - firstChunk[0] > Duration.ofSeconds(2).toNanos(),
                "the first line came " + (end - firstChunk[0]) / 1_000_000 + " ms before the exit code");
        figure("exec: call to first streamed output", (firstChunk[0] - start) / 1_000_000 + " ms");

        ExecResult slow = agent.exec(ExecRequest.builder("sleep").args("60").timeout(Duration.ofSeconds(2)).build());
        assertTrue(slow.timedOut());
        assertEquals(9, slow.signal());
        assertEquals("1", sh("kill -0 " + slow.pid() + " 2>/dev/null; echo $?"), "the killed program is gone");
    }

    @Test
    void aFileRoundTripKeepsItsChecksum() {
        byte[] content = new byte[700 * 1024 + 13];
        new Random(18).nextBytes(content);
        FileTransfer pushed = agent.push("/data/blob.bin", content);
        assertEquals(content.length, pushed.bytes());
        assertEquals(QgaClient.sha256(content), pushed.sha256());
        assertEquals(pushed.sha256() + "  /data/blob.bin", sh("sha256sum /data/blob.bin"), "the guest's own checksum");
        GuestFile pulled = agent.pull("/data/blob.bin", 1 << 20);
        assertArrayEquals(content, pulled.content());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(QuantixException.class, () -> agent.pull("/data/blob.bin", 1000)).code());
    }

    @Test
    void theDataDiskIsFrozenAndThawed() {
        long start = System.nanoTime();
        int frozen = agent.freeze();
        long frozenAt = System.nanoTime();
        try {
            assertTrue(frozen >= 1, "the ext4 data disk is frozen: " + frozen);
            assertEquals(FreezeStatus.FROZEN, agent.freezeStatus());
        } finally {
            assertEquals(frozen, agent.thaw());
        }
        figure("quiesce window (freeze, status, thaw)", (System.nanoTime() - start) / 1_000_000 + " ms, freeze alone "
                + (frozenAt - start) / 1_000_000 + " ms");
        assertEquals(FreezeStatus.THAWED, agent.freezeStatus());
        assertEquals("written", sh("echo written > /data/after && cat /data/after"), "the disk takes writes again");
    }

    @Test
    void aPasswordIsSetInTheGuestsShadowAndNeverShown() {
        String password = "Tr0ub4dor&3 x";
        agent.setUserPassword("qx", password.toCharArray());
        String hash = sh("grep '^qx:' /etc/shadow | cut -d: -f2");
        assertTrue(hash.startsWith("$6$"), "a SHA-512 crypt in /etc/shadow: " + hash);
        String salt = hash.split("\\$")[2];
        ExecResult again = agent.exec(ExecRequest.builder("mkpasswd").args("-m", "sha512", "-S", salt, "-P", "0")
                .stdin((password + "\n").getBytes(StandardCharsets.UTF_8)).build());
        assertEquals(hash + "\n", again.stdoutText(), "the password hashes to what the guest stored");
        assertFalse(sh("cat /run/qxa.log").contains("Tr0ub4dor"), "the agent's log never shows the password");
        QuantixException e = assertThrows(QuantixException.class,
                () -> agent.setUserPassword("nobody-here", password.toCharArray()));
        assertFalse(e.toString().contains("Tr0ub4dor"), e.toString());
    }

    /** The guest is off after it; {@link #guestRunning} starts it again for any test that follows. */
    @Test
    void shutdownThroughTheAgentPowersTheGuestOff() throws Exception {
        agent.shutdown(ShutdownMode.POWERDOWN);
        RealLibvirt.await(NAME + " STOPPED after the agent's shutdown", QgaGuest.BOOT, guest.vm(),
                () -> guest.backend().find(NAME).orElseThrow().state() == PowerState.STOPPED);
    }

    /** A shell line run in the guest through the agent; its output without the last newline. */
    private static String sh(String line) {
        ExecResult r = agent.exec(ExecRequest.builder("sh").args("-c", line).timeout(Duration.ofSeconds(30)).build());
        assertEquals(0, r.exitCode(), line + ": " + r.stderrText());
        return r.stdoutText().replaceAll("\n$", "");
    }

    private static void figure(String what, String value) {
        LOG.info("QXA-FIGURE {}: {}", what, value);
    }
}
