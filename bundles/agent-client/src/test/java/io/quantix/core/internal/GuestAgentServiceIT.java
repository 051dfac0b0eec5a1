package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.agent.internal.QgaGuest;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FileTransfer;
import io.quantix.api.agent.FreezeStatus;
import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.GuestStatus;
import io.quantix.api.spi.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calls a user makes (the core's {@link GuestAgentManager}, which the shell, REST and gRPC call) against the real
 * qemu-guest-agent guest ({@link QgaGuest}): the core's own inventory and backend registry over the real libvirt
 * backend, and the agent client bound for it as on a node.
 */
@Tag("libvirtd")
class GuestAgentServiceIT {
    private static final String NAME = "qx-it-qga-svc";
    private static final String MAC = "52:54:00:71:0b:02";

    /** The one folder API clients may name here; each test works in a folder of its own below it. */
    @TempDir
    static Path allowed;
    private static QgaGuest guest;
    private static BackendRegistry registry;
    private static VmInventory inventory;
    private static GuestAgentManager agents;
    private Path dir;

    @BeforeAll
    static void boot() throws Exception {
        guest = QgaGuest.boot(NAME, MAC, "qgabr1");
        registry = new BackendRegistry(new Events());
        registry.bindHypervisor(guest.backend(), Map.of(Backend.PROPERTY, "libvirt"));
        inventory = new VmInventory(registry, new Revisions(Files.createTempDirectory("qx-rev").resolve("r.properties")),
                Duration.ofHours(1));
        agents = manager();
    }

    /** As the node wires it, without the periodic refresh (a test calls it). */
    private static GuestAgentManager manager() {
        GuestAgentManager manager = new GuestAgentManager(inventory, registry,
                new EdgePolicy(List.of(allowed), Validation.MIB), Duration.ZERO);
        manager.bindAgents(guest.agents(), Map.of(Backend.PROPERTY, "libvirt"));
        return manager;
    }

    @BeforeEach
    void guestRunning() throws Exception {
        guest.running();
        dir = Files.createTempDirectory(allowed, "test");
    }

    @AfterAll
    static void shutDown() throws Exception {
        if (agents != null) {
            agents.close();
        }
        if (inventory != null) {
            inventory.close();
        }
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    void statusSaysWhichAgentAnsweredAndTheGuestsAddresses() {
        GuestStatus status = agents.status(NAME);
        assertEquals(AgentInfo.Kind.QEMU_GUEST_AGENT, status.agent().kind());
        assertTrue(status.agent().supports("guest-exec"), status.agent().commands().toString());
        assertEquals(QgaGuest.HOSTNAME, status.hostname());
        assertEquals("x86_64", status.os().machine());
        GuestInterface nic = status.interfaces().stream().filter(n -> n.mac().equals(MAC)).findFirst()
                .orElseThrow(() -> new AssertionError("no interface with " + MAC + ": " + status.interfaces()));
        GuestAddress ip = new GuestAddress(GuestAddress.Family.IPV4, QgaGuest.IP, 24);
        assertTrue(nic.addresses().contains(ip), nic.toString());
        // what VM lists show from then on, without asking the agent
        assertTrue(agents.lastInterfaces().get(guest.vm().id()).contains(nic));
    }

    @Test
    void theRefreshKeepsTheGuestIpsForLists() {
        GuestAgentManager fresh = manager();
        try {
            assertFalse(fresh.lastInterfaces().containsKey(guest.vm().id()), "no agent asked yet");
            fresh.refresh();
            List<GuestInterface> nics = fresh.lastInterfaces().get(guest.vm().id());
            assertTrue(nics != null && nics.stream().anyMatch(n -> n.mac().equals(MAC)), String.valueOf(nics));
        } finally {
            fresh.close();
        }
    }

    @Test
    void execReturnsOutputAndExitCode() {
        ExecResult echo = agents.exec(NAME, ExecRequest.builder("echo").args("hello", "node").build());
        assertEquals("hello node\n", echo.stdoutText());
        assertEquals(0, echo.exitCode());
        ExecResult failing = agents.exec(NAME, ExecRequest.builder("sh").args("-c", "echo no >&2; exit 4").build());
        assertEquals(4, failing.exitCode());
        assertEquals("no\n", failing.stderrText());
    }

    @Test
    void aFileRoundTripThroughHostFiles() throws Exception {
        byte[] content = new byte[200 * 1024];
        new Random(4).nextBytes(content);
        Path source = Files.write(dir.resolve("in.bin"), content);
        FileTransfer pushed = agents.push(NAME, source.toString(), "/data/svc.bin");
        assertEquals(content.length, pushed.bytes());
        assertEquals(sha256(content), pushed.sha256());
        ExecResult size = agents.exec(NAME, ExecRequest.builder("stat").args("-c", "%s", "/data/svc.bin").build());
        assertEquals(content.length + "\n", size.stdoutText(), "the guest's own view of the file");

        Path target = dir.resolve("out.bin");
        FileTransfer pulled = agents.pull(NAME, "/data/svc.bin", target.toString());
        assertEquals(pushed.sha256(), pulled.sha256());
        assertArrayEquals(content, Files.readAllBytes(target));

        // never over an existing file: it keeps what it had
        Files.write(target, new byte[] {1, 2, 3});
        QuantixException exists = assertThrows(QuantixException.class,
                () -> agents.pull(NAME, "/data/svc.bin", target.toString()));
        assertEquals(ErrorCode.ALREADY_EXISTS, exists.code());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    @Test
    void freezeThenThaw() {
        int frozen = agents.freeze(NAME);
        try {
            assertTrue(frozen >= 1, "the ext4 data disk is frozen: " + frozen);
            assertEquals(FreezeStatus.FROZEN, guest.agent().freezeStatus());
        } finally {
            assertEquals(frozen, agents.thaw(NAME));
        }
        assertEquals(FreezeStatus.THAWED, guest.agent().freezeStatus());
    }

    /** As a snapshot of the VM asks it (freeze, the hypervisor's disk-only snapshot, thaw), on the real guest. */
    @Test
    void aDiskOnlySnapshotIsTakenWithTheGuestFrozenAndTheGuestIsThawedAfter() {
        FreezeStatus[] during = new FreezeStatus[1];
        long start = System.nanoTime();
        Snapshot taken = agents.quiesced(NAME, () -> {
            during[0] = guest.agent().freezeStatus();
            return guest.backend().snapshot(NAME, new SnapshotSpec("frozen-" + System.currentTimeMillis(), false, true,
                    "taken by GuestAgentServiceIT"));
        });
        long window = System.nanoTime() - start;
        assertEquals(FreezeStatus.FROZEN, during[0], "the guest's filesystems were frozen while the snapshot was taken");
        assertTrue(taken.external(), "a disk-only snapshot into overlay files: " + taken);
        assertEquals(FreezeStatus.THAWED, guest.agent().freezeStatus());
        System.out.printf("quiesce window (freeze, disk-only snapshot, thaw) through qemu-guest-agent: %d ms%n",
                window / 1_000_000);
    }

    @Test
    void aSnapshotThatFailsWhileFrozenStillThawsTheGuest() {
        QuantixException failed = assertThrows(QuantixException.class, () -> agents.quiesced(NAME, () -> {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the hypervisor refused the snapshot");
        }));
        assertEquals(ErrorCode.BACKEND_ERROR, failed.code());
        assertEquals(FreezeStatus.THAWED, guest.agent().freezeStatus());
    }

    /** As after a resume: the guest's clock set back to 2001 inside the guest, then set from the node's. */
    @Test
    void theGuestsClockIsSetToTheNodes() {
        ExecResult back = agents.exec(NAME, ExecRequest.builder("date").args("-s", "@1000000000").build());
        assertEquals(0, back.exitCode(), back.stderrText());
        assertTrue(guest.agent().time().isBefore(Instant.now().minus(Duration.ofDays(365))), "the guest's clock is off");

        agents.syncTime(NAME);
        Duration off = Duration.between(Instant.now(), guest.agent().time()).abs();
        assertTrue(off.compareTo(Duration.ofSeconds(2)) < 0, "the guest's clock is the node's: off by " + off);
    }

    @Test
    void badInputIsRefusedAndNothingIsDone() throws Exception {
        Path source = Files.writeString(dir.resolve("note.txt"), "hello");
        QuantixException relative = assertThrows(QuantixException.class,
                () -> agents.push(NAME, source.toString(), "data/relative.txt"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, relative.code(), relative.getMessage());
        // qemu-ga's working directory is /: the relative path would have landed there
        assertEquals(1, agents.exec(NAME, ExecRequest.builder("test").args("-e", "/data/relative.txt").build())
                .exitCode());
        assertEquals(1, agents.exec(NAME, ExecRequest.builder("test").args("-e", "/relative.txt").build()).exitCode());

        QuantixException outside = assertThrows(QuantixException.class,
                () -> agents.push(NAME, "/etc/hostname", "/data/hostname"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, outside.code(), outside.getMessage());
        assertEquals(1, agents.exec(NAME, ExecRequest.builder("test").args("-e", "/data/hostname").build()).exitCode());

        Path pulled = dir.resolve("never.txt");
        QuantixException relativePull = assertThrows(QuantixException.class,
                () -> agents.pull(NAME, "etc/os-release", pulled.toString()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, relativePull.code());
        assertFalse(Files.exists(pulled));
        QuantixException missing = assertThrows(QuantixException.class,
                () -> agents.pull(NAME, "/data/none", pulled.toString()));
        assertEquals(ErrorCode.BACKEND_ERROR, missing.code(), missing.getMessage());
        try (var left = Files.list(dir)) {
            assertEquals(List.of(source), left.toList(), "no partial file on the host");
        }

        QuantixException unknown = assertThrows(QuantixException.class, () -> agents.status("no-such-vm"));
        assertEquals(ErrorCode.NOT_FOUND, unknown.code());
        QuantixException badName = assertThrows(QuantixException.class, () -> agents.freeze("web; reboot"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, badName.code());
        QuantixException badUser = assertThrows(QuantixException.class,
                () -> agents.setPassword(NAME, "root:0", "secret".toCharArray()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, badUser.code());
        assertEquals(FreezeStatus.THAWED, guest.agent().freezeStatus());
    }

    @Test
    void aRefusedPasswordNeverShowsIt() {
        // the tiny guest has no chpasswd, which qemu-ga runs: the guest refuses, as a minimal image would
        QuantixException e = assertThrows(QuantixException.class,
                () -> agents.setPassword(NAME, "root", "Tr0ub4dor&3".toCharArray()));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code(), e.toString());
        assertFalse(e.toString().contains("Tr0ub4dor"), e.toString());
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
