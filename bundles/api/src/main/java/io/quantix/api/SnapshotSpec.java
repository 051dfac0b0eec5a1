package io.quantix.api;

/**
 * A snapshot to take of a VM.
 *
 * @param includeMemory also save the running guest's memory, so a revert resumes it where it was
 * @param diskOnly keep the VM's disks as they are and write on in new overlay files (an external snapshot)
 * @param description free text for people; may be empty
 */
public record SnapshotSpec(String name, boolean includeMemory, boolean diskOnly, String description) {
    public static final int MAX_DESCRIPTION = 1024;

    public SnapshotSpec {
        Validation.name("snapshot", name);
        Validation.required("snapshot description", description);
        Validation.range("snapshot description length", description.length(), 0, MAX_DESCRIPTION);
        if (includeMemory && diskOnly) {
            throw QuantixException.invalid("snapshot " + Validation.quote(name)
                    + " cannot both include memory and be disk-only");
        }
    }

    public static SnapshotSpec of(String name) {
        return new SnapshotSpec(name, false, false, "");
    }
}
