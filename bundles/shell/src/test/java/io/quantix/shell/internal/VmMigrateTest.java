package io.quantix.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationProgress.Phase;
import org.junit.jupiter.api.Test;

class VmMigrateTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void aTransferLineSaysWhatMovedAndWhatIsLeft() {
        assertEquals("VM web: transferring 80.0M of 256.0M, 176.0M left, 120 pages/s dirtied, 1.5 s",
                VmMigrate.describe("web", new MigrationProgress(Phase.TRANSFERRING, 256 * MIB, 80 * MIB, 176 * MIB, 120,
                        0, 1500)));
    }

    @Test
    void theLastLineGivesTheTimeAndTheGuestsPause() {
        assertEquals("VM web: completed in 2.3 s, downtime 88 ms, 81.0M sent",
                VmMigrate.describe("web", new MigrationProgress(Phase.COMPLETED, 260 * MIB, 81 * MIB, 0, 0, 88, 2289)));
        assertEquals("VM web: cancelled after 4.0 s: the VM stays on this node",
                VmMigrate.describe("web", new MigrationProgress(Phase.CANCELLED, 260 * MIB, 3 * MIB, 257 * MIB, 0, 0, 4000)));
        assertEquals("VM web: starting", VmMigrate.describe("web", new MigrationProgress(Phase.STARTING, 0, 0, 0, 0, 0, 0)));
    }
}
