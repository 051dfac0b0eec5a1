package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FileTransfer;
import io.quantix.api.agent.FreezeStatus;
import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestFile;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.ShutdownMode;
import io.quantix.hypervisor.libvirt.internal.LibvirtBackend;
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's qemu-guest-agent in a real guest under QEMU (TCG) on the host's libvirtd: the tiny guest with qemu-ga
 * added (src/test/sh/qga-guest-env.sh), a NIC with a known MAC and an ext4 data disk. The calls go as on a node:
 * through libvirt for org.qemu.guest_agent.0, which libvirtd holds; and straight over the socket of the Quantix
 * channel, where the guest runs a second qemu-ga as a stand-in for the Quantix agent.
 */
@Tag("libvirtd")
class QgaGuestIT {
    private static final Logger LOG = LoggerFactory.getLogger(QgaGuestIT.class);
    private static final String NAME = "qx-it-qga";
    private static final String MAC = "52:54:00:71:0b:01";

    private static QgaGuest guest;
    private static LibvirtBackend backend;
    private static Vm vm;
    private static GuestAgent agent;

    @BeforeAll
    static void boot() throws Exception {
        guest = QgaGuest.boot(NAME, MAC, "qgabr0");
        backend = guest.backend();
        vm = guest.vm();
        agent = guest.agent();
    }

    /** Every test starts from a running guest whose agent answers, whatever an earlier test (a shutdown) left. */
    @BeforeEach
    void guestRunning() throws Exception {
        guest.running();
    }

    @AfterAll
    static void shutDown() throws Exception {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    void answersAndListsItsCommands() {
        agent.ping();
        AgentInfo info = agent.info();
        assertEquals(AgentInfo.Kind.QEMU_GUEST_AGENT, info.kind());
        assertTrue(info.version().matches("\\d+\\.\\d+.*"), info.version());
        for (String command : List.of("guest-exec", "guest-exec-status", "guest-file-open", "guest-fsfreeze-freeze",
                "guest-network-get-interfaces", "guest-set-user-password", "guest-shutdown")) {
            assertTrue(info.supports(command), command + " in " + info.commands());
        }
    }

    @Test
    void reportsTheGuestsNameSystemAndClock() {
        assertEquals(QgaGuest.HOSTNAME, agent.hostname());
        var os = agent.osInfo();
        assertEquals("quantix-test", os.id());
        assertEquals("x86_64", os.machine());
        assertTrue(os.kernelRelease().endsWith("-amd64"), os.kernelRelease());
        Duration skew = Duration.between(Instant.now(), agent.time()).abs();
        assertTrue(skew.compareTo(Duration.ofMinutes(5)) < 0, "the guest clock follows the host's RTC: " + skew);
    }

    @Test
    void listsTheNicWithTheMacTheVmWasGiven() {
        List<GuestInterface> nics = agent.interfaces();
        GuestInterface nic = nics.stream().filter(n -> n.mac().equals(MAC)).findFirst()
                .orElseThrow(() -> new AssertionError("no interface with " + MAC + ": " + nics));
        assertTrue(nic.addresses().contains(new GuestAddress(GuestAddress.Family.IPV4, QgaGuest.IP, 24)),
                nic.toString());
        assertTrue(nics.stream().anyMatch(n -> n.name().equals("lo")), nics.toString());
    }

    @Test
    void execReturnsOutputAndExitCode() {
        ExecResult echo = agent.exec(ExecRequest.builder("echo").args("hello", "quantix").build());
        assertEquals("hello quantix\n", echo.stdoutText());
        assertEquals(0, echo.exitCode());
        assertFalse(echo.timedOut());

        ExecResult failing = agent.exec(ExecRequest.builder("sh").args("-c", "echo oops >&2; exit 3").build());
        assertEquals(3, failing.exitCode());
        assertEquals("oops\n", failing.stderrText());

        ExecResult piped = agent.exec(ExecRequest.builder("sh").args("-c", "cat; echo \"$GREETING\"")
                .env("GREETING", "from env").stdin("from stdin\n".getBytes()).build());
        assertEquals("from stdin\nfrom env\n", piped.stdoutText());
    }

    @Test
    void execPastItsTimeoutIsKilled() {
        ExecResult sleep = agent.exec(ExecRequest.builder("sleep").args("30").timeout(Duration.ofSeconds(2)).build());
        assertTrue(sleep.timedOut());
        assertEquals(9, sleep.signal(), "ended by SIGKILL");
        ExecResult probe = agent.exec(ExecRequest.builder("kill").args("-0", Long.toString(sleep.pid())).build());
        assertNotEquals(0, probe.exitCode(), "process " + sleep.pid() + " is gone from the guest");
    }

    @Test
    void aFileRoundTripKeepsItsSha256() {
        byte[] content = new byte[256 * 1024];
        new Random(18).nextBytes(content);
        FileTransfer pushed = agent.push("/data/blob.bin", content);
        assertEquals(content.length, pushed.bytes());
        assertEquals(QgaClient.sha256(content), pushed.sha256());

        GuestFile pulled = agent.pull("/data/blob.bin", 1 << 20);
        assertEquals(pushed.sha256(), pulled.sha256());
        assertArrayEquals(content, pulled.content());
        ExecResult size = agent.exec(ExecRequest.builder("stat").args("-c", "%s", "/data/blob.bin").build());
        assertEquals(content.length + "\n", size.stdoutText(), "the guest's own view of the file");

        QuantixException tooBig = assertThrows(QuantixException.class, () -> agent.pull("/data/blob.bin", 1000));
        assertEquals(ErrorCode.INVALID_ARGUMENT, tooBig.code());
        QuantixException missing = assertThrows(QuantixException.class, () -> agent.pull("/data/none", 1000));
        assertEquals(ErrorCode.BACKEND_ERROR, missing.code());
    }

    @Test
    void freezeThenThawTheDataDisk() {
        assertEquals(FreezeStatus.THAWED, agent.freezeStatus());
        int frozen = agent.freeze();
        try {
            assertTrue(frozen >= 1, "the ext4 data disk is frozen: " + frozen);
            assertEquals(FreezeStatus.FROZEN, agent.freezeStatus());
        } finally {
            assertEquals(frozen, agent.thaw());
        }
        assertEquals(FreezeStatus.THAWED, agent.freezeStatus());
        long start = System.nanoTime();
        String answer = agent.quiesced(() -> "snapshot taken");
        LOG.info("quiesce window (freeze, nothing, thaw) through libvirt: {} ms", (System.nanoTime() - start) / 1_000_000);
        assertEquals("snapshot taken", answer);
        assertEquals(FreezeStatus.THAWED, agent.freezeStatus());
    }

    /**
     * Why a libvirt node goes through libvirt: libvirtd connects to org.qemu.guest_agent.0 once the guest opens
     * it, and QEMU serves one client, so a second connection is queued and never answered. The Quantix channel, which
     * no daemon holds, answers straight over its socket.
     */
    @Test
    void libvirtdHoldsTheQemuAgentSocketAndTheQuantixChannelAnswersDirectly() {
        try (QgaSocketTransport held = new QgaSocketTransport(RealLibvirt.guestAgentSocket(vm), NAME, 1 << 20)) {
            QgaClient direct = new QgaClient(held, NAME, Duration.ofSeconds(3), 1 << 20);
            QuantixException e = assertThrows(QuantixException.class, direct::ping);
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
        }
        agent.ping(); // and libvirt's connection is untouched

        try (QgaClient direct = new QgaClient(new QgaSocketTransport(RealLibvirt.agentSocket(vm), NAME, 1 << 22), NAME,
                Duration.ofSeconds(10), 1 << 22)) {
            assertEquals(QgaGuest.HOSTNAME, direct.hostname());
            long start = System.nanoTime();
            int calls = 20;
            for (int i = 0; i < calls; i++) {
                direct.ping();
            }
            LOG.info("guest-ping over the socket: {} us a call (TCG guest)", (System.nanoTime() - start) / 1000 / calls);
            byte[] content = new byte[256 * 1024];
            new Random(7).nextBytes(content);
            assertEquals(QgaClient.sha256(content), direct.push("/data/direct.bin", content).sha256());
        }
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            agent.ping();
        }
        LOG.info("guest-ping through libvirt: {} us a call (TCG guest)", (System.nanoTime() - start) / 1000 / 20);
    }

    @Test
    void aPasswordTheGuestCannotSetIsAnErrorThatNeverShowsIt() {
        // the tiny guest's busybox has no chpasswd, which qemu-ga runs: the guest refuses, as a minimal image would
        QuantixException e = assertThrows(QuantixException.class,
                () -> agent.setUserPassword("root", "Tr0ub4dor&3".toCharArray()));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code(), e.toString());
        assertFalse(e.toString().contains("Tr0ub4dor"), e.toString());
        agent.ping();
    }

    /** The guest is off after it; {@link #guestRunning} starts it again for any test that follows. */
    @Test
    void shutdownThroughTheAgentPowersTheGuestOff() throws Exception {
        agent.shutdown(ShutdownMode.POWERDOWN);
        RealLibvirt.await(NAME + " STOPPED after guest-shutdown", QgaGuest.BOOT, vm,
                () -> backend.find(NAME).orElseThrow().state() == PowerState.STOPPED);
        QuantixException e = assertThrows(QuantixException.class, agent::ping);
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), "a stopped VM's agent: " + e);
    }
}
