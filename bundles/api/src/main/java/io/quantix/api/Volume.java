package io.quantix.api;

/**
 * A volume in a pool.
 *
 * @param capacity the size the guest sees, in bytes
 * @param allocation the bytes it takes on the pool now (less for thin volumes)
 * @param template a read-only golden image that VM disks are cloned from; it is never attached to a VM itself
 */
public record Volume(VolumeRef ref, VolumeFormat format, long capacity, long allocation, DiskSource source,
        boolean template) {
    public Volume {
        Validation.required("volume", ref);
        Validation.required("volume format", format);
        Validation.required("disk source", source);
    }

    /** A volume that is not a template. */
    public Volume(VolumeRef ref, VolumeFormat format, long capacity, long allocation, DiskSource source) {
        this(ref, format, capacity, allocation, source, false);
    }

    public String name() {
        return ref.volume();
    }
}
