package io.quantix.api;

/**
 * A snapshot to take of a VM.
 *
 * @param includeMemory also save the running guest's memory, so a revert resumes it where it was
 * @param diskOnly keep the VM's disks as they are and write on in new overlay files (an external snapshot)
 * @param description free text for people; may be empty
 * @param quiesce whether the guest's filesystems are frozen through its agent while the snapshot is taken
 */
public record SnapshotSpec(String name, boolean includeMemory, boolean diskOnly, String description, Quiesce quiesce) {
    public static final int MAX_DESCRIPTION = 1024;

    /**
     * Freezing matters for a running guest's disk-only snapshot: a snapshot with memory resumes the guest as it was,
     * and a stopped guest's disks are at rest.
     */
    public enum Quiesce {
        /** Frozen when the guest's agent answers; taken crash-consistent otherwise (the snapshot says which). */
        AUTO,
        /** Frozen, or not taken: the agent's error (BACKEND_UNAVAILABLE, UNSUPPORTED) when it cannot freeze. */
        REQUIRED,
        /** Never frozen. */
        OFF
    }

    public SnapshotSpec {
        Validation.name("snapshot", name);
        Validation.required("snapshot description", description);
        Validation.range("snapshot description length", description.length(), 0, MAX_DESCRIPTION);
        Validation.required("quiesce", quiesce);
        if (includeMemory && diskOnly) {
            throw QuantixException.invalid("snapshot " + Validation.quote(name)
                    + " cannot both include memory and be disk-only");
        }
    }

    /** Quiesced when it can be ({@link Quiesce#AUTO}). */
    public SnapshotSpec(String name, boolean includeMemory, boolean diskOnly, String description) {
        this(name, includeMemory, diskOnly, description, Quiesce.AUTO);
    }

    public static SnapshotSpec of(String name) {
        return new SnapshotSpec(name, false, false, "");
    }

    /** Whether the guest's filesystems are to be frozen for it, given the VM's state now. */
    public boolean freezesWhen(PowerState state) {
        return quiesce != Quiesce.OFF && diskOnly && state == PowerState.RUNNING;
    }
}
