package io.quantix.api;

/** A point-in-time copy of one volume, kept by its storage backend (a qcow2 internal snapshot, an RBD snapshot). */
public record VolumeSnapshot(VolumeRef volume, String name) {
    public VolumeSnapshot {
        Validation.required("volume", volume);
        Validation.name("volume snapshot", name);
    }
}
