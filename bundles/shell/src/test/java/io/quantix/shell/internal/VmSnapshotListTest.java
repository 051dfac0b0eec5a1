package io.quantix.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.VolumeRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmSnapshotListTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void childrenAreIndentedUnderTheirParent() {
        List<Snapshot> snapshots = List.of(
                new Snapshot("base", Optional.empty(), T, false, false, PowerState.STOPPED),
                new Snapshot("warm", Optional.of("base"), T.plusSeconds(60), true, false, PowerState.RUNNING),
                new Snapshot("frozen", Optional.of("warm"), T.plusSeconds(120), false, true, PowerState.RUNNING),
                new Snapshot("other", Optional.of("base"), T.plusSeconds(180), false, false, PowerState.STOPPED));

        assertEquals(List.of(
                "base  2026-11-25T10:00:00Z (stopped)",
                "  warm  2026-11-25T10:01:00Z (running, with memory)",
                "    frozen  2026-11-25T10:02:00Z (running, disk-only)",
                "  other  2026-11-25T10:03:00Z (stopped)"), VmSnapshotList.tree(snapshots));
    }

    @Test
    void aDiskIsNamedAsPoolSlashVolume() {
        assertEquals(new VolumeRef("default", "web-disk1"), VmDiskDetach.volume("default/web-disk1"));
        QuantixException e = assertThrows(QuantixException.class, () -> VmDiskDetach.volume("default:web-disk1"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
