package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.ErrorCode;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.VolumeRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots on libvirt's test driver, which keeps internal snapshots (with memory) but has no hot-plug. */
class LibvirtSnapshotsTest {
    private static final String VM = "web-1";

    @TempDir
    Path dir;
    private LibvirtBackend backend;

    @BeforeEach
    void open() {
        backend = new LibvirtBackend();
        backend.open(ConnectionTarget.testNode(dir.resolve("libvirt-test-node.xml")));
        backend.define(Fixtures.ID, Fixtures.spec(VM), Fixtures.disks("/data/pool-a/root.qcow2"), Fixtures.nics());
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void snapshotsFormATreeInTheOrderTaken() {
        backend.power(VM, PowerAction.START);
        Snapshot first = backend.snapshot(VM, new SnapshotSpec("first", true, false, "before the upgrade"));
        Snapshot second = backend.snapshot(VM, new SnapshotSpec("second", true, false, ""));
        backend.revert(VM, "first");
        Snapshot branch = backend.snapshot(VM, new SnapshotSpec("branch", true, false, ""));

        assertEquals(Optional.empty(), first.parent());
        assertEquals(Optional.of("first"), second.parent());
        assertEquals(Optional.of("first"), branch.parent());
        assertTrue(first.includesMemory() && !first.external(), first.toString());
        assertEquals(PowerState.RUNNING, first.stateAtSnapshot());
        List<String> listed = backend.snapshots(VM).stream().map(Snapshot::name).toList();
        assertEquals("first", listed.get(0), "a parent before its children");
        assertEquals(Set.of("first", "second", "branch"), Set.copyOf(listed));
    }

    @Test
    void revertingBringsBackThePowerStateOfTheSnapshot() {
        backend.snapshot(VM, SnapshotSpec.of("cold"));
        backend.power(VM, PowerAction.START);

        backend.revert(VM, "cold");

        assertEquals(PowerState.STOPPED, backend.find(VM).orElseThrow().state());
        assertEquals(PowerState.STOPPED, backend.snapshots(VM).get(0).stateAtSnapshot());
        assertTrue(!backend.snapshots(VM).get(0).includesMemory());
    }

    @Test
    void deletingASnapshotKeepsItsChildren() {
        backend.snapshot(VM, SnapshotSpec.of("a"));
        backend.snapshot(VM, SnapshotSpec.of("b"));

        backend.deleteSnapshot(VM, "a");

        assertEquals(List.of(new Snapshot("b", Optional.empty(), backend.snapshots(VM).get(0).createdAt(), false, false,
                PowerState.STOPPED)), backend.snapshots(VM));
    }

    @Test
    void specsThatDoNotFitTheVmOrTheDriverAreRefusedUpFront() {
        assertCode(ErrorCode.CONFLICT, () -> backend.snapshot(VM, new SnapshotSpec("m", true, false, "")));
        backend.power(VM, PowerAction.START);
        assertCode(ErrorCode.CONFLICT, () -> backend.snapshot(VM, SnapshotSpec.of("plain")));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.snapshot(VM, new SnapshotSpec("d", false, true, "")));
        backend.snapshot(VM, new SnapshotSpec("s", true, false, ""));
        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend.snapshot(VM, new SnapshotSpec("s", true, false, "")));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.revert(VM, "ghost"));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.deleteSnapshot(VM, "ghost"));
        assertEquals(List.of("s"), backend.snapshots(VM).stream().map(Snapshot::name).toList());
    }

    @Test
    void snapshotsOfTheSimulatedNodeOutliveARestart() {
        backend.power(VM, PowerAction.START);
        backend.snapshot(VM, new SnapshotSpec("first", true, false, "before the <upgrade> & after"));
        backend.snapshot(VM, new SnapshotSpec("second", true, false, ""));
        backend.revert(VM, "first");
        List<Snapshot> before = backend.snapshots(VM);
        backend.close();

        backend = new LibvirtBackend();
        backend.open(ConnectionTarget.testNode(dir.resolve("libvirt-test-node.xml")));

        assertEquals(before, backend.snapshots(VM));
        // "first" is still the current one: the next snapshot is its child, as it would have been without the restart.
        assertEquals(Optional.of("first"), backend.snapshot(VM, new SnapshotSpec("third", true, false, "")).parent());
        backend.power(VM, PowerAction.FORCE_STOP);
        backend.revert(VM, "second");
        assertEquals(PowerState.RUNNING, backend.find(VM).orElseThrow().state());
    }

    @Test
    void aVmWithSnapshotsCanStillBeDeleted() {
        backend.snapshot(VM, SnapshotSpec.of("s"));

        backend.undefine(VM);

        assertTrue(backend.find(VM).isEmpty());
    }

    @Test
    void theTestDriverHasNoHotPlug() {
        assertTrue(!backend.capabilities().contains(io.quantix.api.Capability.HOT_PLUG));
        AttachedDisk disk = Fixtures.disks("/data/x.qcow2").get(0);
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.attachDisk(VM, disk));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.detachDisk(VM, new VolumeRef("pool-a", "root")));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.attachNic(VM, new AttachedNic("lan", "p9", "52:54:00:00:00:09",
                NicModel.VIRTIO, new NicBinding.Bridge("br0"))));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.changeMedia(VM, Optional.empty()));
        assertEquals(2, backend.find(VM).orElseThrow().disks().size());
    }

    private static void assertCode(ErrorCode expected, Runnable call) {
        QuantixException e = assertThrows(QuantixException.class, call::run);
        assertEquals(expected, e.code(), e.getMessage());
    }
}
