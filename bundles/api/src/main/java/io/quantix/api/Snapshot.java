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
 */
public record Snapshot(String name, Optional<String> parent, Instant createdAt, boolean includesMemory,
        boolean external, PowerState stateAtSnapshot) {
    public Snapshot {
        Validation.name("snapshot", name);
        parent = Validation.required("parent snapshot", parent).map(p -> Validation.name("snapshot", p));
        Validation.required("creation time", createdAt);
        Validation.required("power state", stateAtSnapshot);
    }
}
