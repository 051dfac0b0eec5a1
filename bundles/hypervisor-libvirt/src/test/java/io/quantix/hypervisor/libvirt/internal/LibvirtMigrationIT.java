package io.quantix.hypervisor.libvirt.internal;

import static io.quantix.hypervisor.libvirt.internal.Libvirtd.MARKER;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.PARTITIONS;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.await;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationProgress.Phase;
import io.quantix.api.MigrationSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migration between the host's libvirtd and a second libvirtd on the same machine (src/test/sh/libvirt-peer.sh),
 * which runs as another user with its own host_uuid: to libvirt, another node. A booted guest moves live and
 * keeps running there; a slowed-down migration is cancelled and the guest stays; a stopped VM moves offline.
 * Each test asks {@link #bootedGuestHere()} for the guest it needs (a live migration takes it away) and removes
 * what it moved to the destination, so none depends on another's order or leftovers.
 */
@Tag("libvirtd")
class LibvirtMigrationIT {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtMigrationIT.class);
    private static final String GUEST = "qx-it-migrate";
    private static final String STOPPED = "qx-it-migrate-off";
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration MIGRATION = Duration.ofSeconds(120);

    private static LibvirtBackend backend;
    private static Path peerDir;
    private static String peerUri;

    @BeforeAll
    static void startPeer() throws Exception {
        Libvirtd.prepare();
        backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        for (String name : List.of(GUEST, STOPPED)) {
            Libvirtd.remove(backend, name);
        }
        peerDir = Path.of("/tmp", "qx-peer-" + ProcessHandle.current().pid());
        peerUri = Libvirtd.startPeer(peerDir);
        // The destination's QEMU opens the VM's serial log and binds its channel sockets at the same paths as here
        // (on a real node, in its own data directory). Here both nodes share one file system and the destination
        // runs as another user, so it needs a way into this node's run directory.
        Path data = Path.of(System.getProperty("quantix.data.dir"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x--x"));
        Files.createDirectories(data.resolve("run"));
        Files.setPosixFilePermissions(data.resolve("run"), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterAll
    static void stopPeer() throws Exception {
        if (backend != null) {
            for (String name : List.of(GUEST, STOPPED)) {
                Libvirtd.remove(backend, name);
            }
            backend.close();
        }
        if (peerUri != null) {
            Libvirtd.stopPeer(peerDir);
        }
    }

    /**
     * The guest running and booted on this node, whatever an earlier test did: a live migration moved it away (it is
     * then removed from the destination and created again here), a failure may have left it stopped or paused.
     * Migrating a guest still booting its kernel made it panic: only a booted one is handed out.
     */
    private static Vm bootedGuestHere() throws Exception {
        removeFromPeer(GUEST);
        Vm guest = backend.find(GUEST).orElseGet(() -> backend.define(UUID.randomUUID().toString(),
                VmSpec.builder(GUEST).memoryMiB(256).directBoot(Libvirtd.boot(Libvirtd.CMDLINE + Libvirtd.WATCH_PARTITIONS))
                        .build(), List.of(), List.of()));
        switch (guest.state()) {
            case RUNNING -> { }
            case PAUSED -> backend.power(GUEST, PowerAction.RESUME);
            default -> backend.power(GUEST, PowerAction.START);
        }
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state(), "the guest runs here");
        await("boot marker", BOOT, guest, () -> count(guest, MARKER) >= 1);
        return guest;
    }

    /** Stops and undefines a VM on the destination if a migration put it there. */
    private static void removeFromPeer(String name) throws Exception {
        onPeer(c -> {
            if (domainNames(c).contains(name)) {
                c.domainLookupByName(name).destroy();
            }
            if (Arrays.asList(c.listDefinedDomains()).contains(name)) {
                c.domainLookupByName(name).undefine();
            }
            return null;
        });
    }

    @Test
    void theBackendAdvertisesMigrationAndARunningVmIsNotMovedOffline() throws Exception {
        assertTrue(backend.capabilities().contains(Capability.LIVE_MIGRATION));
        bootedGuestHere();

        QuantixException e = assertThrows(QuantixException.class, () -> backend.migrate(GUEST,
                new MigrationSpec(peerUri, false, Optional.empty(), 0), p -> { }));
        assertEquals(ErrorCode.CONFLICT, e.code());
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
    }

    @Test
    void aCancelledMigrationLeavesTheGuestRunningHere() throws Exception {
        Vm guest = bootedGuestHere();
        // 1 MiB/s: the guest's ~80 MiB of used memory would take over a minute, long enough to cancel.
        setSpeed("1");
        List<MigrationProgress> seen = new CopyOnWriteArrayList<>();
        MigrationSpec slow = spec();
        try {
            CompletableFuture<MigrationProgress> migration = CompletableFuture.supplyAsync(
                    () -> backend.migrate(GUEST, slow, seen::add));
            await("progress with data figures (seen: " + seen + ")", MIGRATION, guest,
                    () -> seen.stream().anyMatch(p -> p.phase() == Phase.TRANSFERRING && p.dataProcessed() > 0));
            backend.cancelMigration(GUEST);

            MigrationProgress last = migration.get(MIGRATION.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Phase.CANCELLED, last.phase(), seen.toString());
            assertEquals(last, seen.get(seen.size() - 1));
        } finally {
            setSpeed("8796093022207");
        }
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state());
        boolean onDestination = onPeer(c -> Arrays.asList(c.listDefinedDomains()).contains(GUEST)
                || domainNames(c).contains(GUEST));
        assertFalse(onDestination, "nothing of the VM is left on the destination");
        // Its serial log is no sign here: the destination took over the file's path when it prepared to receive
        // the guest (both "nodes" share one file system). The guest's CPU time still growing is.
        long cpu = backend.metrics(GUEST).guestCpuNanos();
        await("the guest runs on here", Duration.ofSeconds(30), guest, () -> backend.metrics(GUEST).guestCpuNanos() > cpu);
        // Nothing to cancel any more.
        assertEquals(ErrorCode.NOT_FOUND,
                assertThrows(QuantixException.class, () -> backend.cancelMigration(GUEST)).code());
    }

    @Test
    void aBootedGuestMovesLiveAndKeepsRunningOnTheDestination() throws Exception {
        Vm guest = bootedGuestHere();
        try {
            List<MigrationProgress> seen = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            MigrationProgress last = backend.migrate(GUEST, spec(), seen::add);
            long took = (System.nanoTime() - start) / 1_000_000;

            assertEquals(Phase.COMPLETED, last.phase(), seen.toString());
            assertEquals(Phase.STARTING, seen.get(0).phase());
            assertEquals(last, seen.get(seen.size() - 1));
            assertTrue(last.dataTotal() > 0 && last.dataProcessed() > 0, last.toString());
            assertTrue(last.downtimeMillis() > 0, "the switch-over paused the guest: " + last);
            LOG.info("live migration of a {} MiB guest: {} ms in total as the caller saw it, {} ms by libvirt's count,"
                    + " downtime {} ms, {} MiB sent; progress: {}", guest.spec().memoryMiB(), took, last.elapsedMillis(),
                    last.downtimeMillis(), last.dataProcessed() / (1024 * 1024), seen);

            assertTrue(backend.find(GUEST).isEmpty(), "the VM left this node");
            assertFalse(backend.unmanaged().contains(GUEST));
            assertEquals(List.of(DomainState.VIR_DOMAIN_RUNNING, 1), onPeer(c -> {
                Domain moved = c.domainLookupByName(GUEST);
                return List.of(moved.getInfo().state, moved.isPersistent());
            }));
            // Only the destination's QEMU is left to write to the guest's serial console: new lines prove it runs there.
            long printed = count(guest, PARTITIONS);
            await("the guest prints on the destination", Duration.ofSeconds(30), guest,
                    () -> count(guest, PARTITIONS) >= printed + 2);
            // The destination keeps the Quantix record: a node there adopts the VM as it is.
            Vm there = onPeer(c -> DomainXml.parse(c.domainLookupByName(GUEST).getXMLDesc(0), PowerState.RUNNING))
                    .orElseThrow();
            assertEquals(guest.id(), there.id());
            assertEquals(guest.spec(), there.spec());
        } finally {
            removeFromPeer(GUEST);
        }
    }

    @Test
    void aStoppedVmMovesOfflineAndAnUnreachableDestinationLeavesItHere() throws Exception {
        Libvirtd.remove(backend, STOPPED);
        removeFromPeer(STOPPED);
        Vm stopped = backend.define(UUID.randomUUID().toString(), VmSpec.builder(STOPPED).memoryMiB(128)
                .directBoot(Libvirtd.boot(Libvirtd.CMDLINE)).build(), List.of(), List.of());
        try {
            MigrationSpec nowhere = new MigrationSpec("qemu+unix:///session?socket=" + peerDir.resolve("no-such.sock"),
                    false, Optional.empty(), 0);
            QuantixException e = assertThrows(QuantixException.class, () -> backend.migrate(STOPPED, nowhere, p -> { }));
            assertEquals(ErrorCode.BACKEND_ERROR, e.code());
            assertTrue(e.getMessage().contains("stays on this node"), e.getMessage());
            assertEquals(PowerState.STOPPED, backend.find(STOPPED).orElseThrow().state());

            MigrationProgress last = backend.migrate(STOPPED, new MigrationSpec(peerUri, false, Optional.empty(), 0),
                    p -> { });

            assertEquals(Phase.COMPLETED, last.phase());
            assertTrue(backend.find(STOPPED).isEmpty());
            assertEquals(List.of(DomainState.VIR_DOMAIN_SHUTOFF, 1), onPeer(c -> {
                Domain moved = c.domainLookupByName(STOPPED);
                return List.of(moved.getInfo().state, moved.isPersistent());
            }));
            assertEquals(stopped.spec(), onPeer(c -> DomainXml.parse(c.domainLookupByName(STOPPED).getXMLDesc(0),
                    PowerState.STOPPED)).orElseThrow().spec());
        } finally {
            Libvirtd.remove(backend, STOPPED);
            removeFromPeer(STOPPED);
        }
    }

    private static MigrationSpec spec() throws IOException {
        return new MigrationSpec(peerUri, true, Optional.of("tcp://127.0.0.1:" + freePort()), 300);
    }

    /** An ephemeral port free right now, for the destination's incoming memory stream. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The bandwidth cap (MiB/s) of the guest's migrations, as an operator sets it with virsh. */
    private static void setSpeed(String mibPerSecond) {
        HostCommand.run(List.of("virsh", "-c", ConnectionTarget.SYSTEM_URI, "migrate-setspeed", GUEST, mibPerSecond));
    }

    private static List<String> domainNames(Connect c) throws Exception {
        List<String> names = new java.util.ArrayList<>();
        for (int id : c.listDomains()) {
            names.add(c.domainLookupByID(id).getName());
        }
        return names;
    }

    private static <T> T onPeer(PeerCall<T> call) throws Exception {
        Connect connect = new Connect(peerUri, false);
        try {
            return call.run(connect);
        } finally {
            connect.close();
        }
    }

    @FunctionalInterface
    private interface PeerCall<T> {
        T run(Connect connect) throws Exception;
    }
}
