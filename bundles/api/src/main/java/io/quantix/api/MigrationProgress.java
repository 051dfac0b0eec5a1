package io.quantix.api;

/**
 * How far a migration is: reported while it runs, and once more when it ends.
 *
 * @param dataTotal bytes of guest memory (and disks, for a copy-storage migration) to move; 0 until known
 * @param dataProcessed bytes moved so far
 * @param dataRemaining bytes still to move; with a dirty rate above the link speed this stops falling
 * @param dirtyRate pages per second the guest dirties again after they were sent
 * @param downtimeMillis the pause the guest saw (when COMPLETED) or is expected to see
 * @param elapsedMillis time since the migration started
 */
public record MigrationProgress(Phase phase, long dataTotal, long dataProcessed, long dataRemaining, long dirtyRate,
        long downtimeMillis, long elapsedMillis) {

    public enum Phase {
        /** Accepted, not moving data yet. */
        STARTING,
        /** Copying memory (or, for an offline migration, the definition). */
        TRANSFERRING,
        /** The VM runs on the destination now. */
        COMPLETED,
        /** Stopped by a cancel: the VM keeps running here. */
        CANCELLED,
        /** Failed: the VM keeps running here. */
        FAILED
    }

    public MigrationProgress {
        Validation.required("migration phase", phase);
    }

    public boolean done() {
        return phase == Phase.COMPLETED || phase == Phase.CANCELLED || phase == Phase.FAILED;
    }
}
