package io.quantix.api;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a VM, as its hypervisor keeps it. Snapshots form a tree: each names the one it was taken on
 * top of.
 *
 * @param parent the snapshot this one was taken after, empty for a root
 * @param includesMemory a revert resumes the guest from the saved memory instead of booting it
 * @param external its disk state is the VM's previous files, with writes going to overlay files since
 * @param stateAtSnapshot the VM's power state when the snapshot was taken
 * @param quiesced the guest's agent froze its filesystems for it (flushed, no write half done), so that its disks
 *        are consistent for the applications in the guest, not only as after a power cut
 */
public record Snapshot(String name, Optional<String> parent, Instant createdAt, boolean includesMemory,
        boolean external, PowerState stateAtSnapshot, boolean quiesced) {
    public Snapshot {
        Validation.name("snapshot", name);
        parent = Validation.required("parent snapshot", parent).map(p -> Validation.name("snapshot", p));
        Validation.required("creation time", createdAt);
        Validation.required("power state", stateAtSnapshot);
    }

    /** A snapshot as a hypervisor reads it: whether it was quiesced is the node's record, not the hypervisor's. */
    public Snapshot(String name, Optional<String> parent, Instant createdAt, boolean includesMemory, boolean external,
            PowerState stateAtSnapshot) {
        this(name, parent, createdAt, includesMemory, external, stateAtSnapshot, false);
    }

    public Snapshot withQuiesced(boolean wasQuiesced) {
        return new Snapshot(name, parent, createdAt, includesMemory, external, stateAtSnapshot, wasQuiesced);
    }
}
