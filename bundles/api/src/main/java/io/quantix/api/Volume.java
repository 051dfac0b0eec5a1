package io.quantix.api;

/**
 * A volume in a pool.
 *
 * @param capacity the size the guest sees, in bytes
 * @param allocation the bytes it takes on the pool now (less for thin volumes)
 */
public record Volume(VolumeRef ref, VolumeFormat format, long capacity, long allocation, DiskSource source) {
    public Volume {
        Validation.required("volume", ref);
        Validation.required("volume format", format);
        Validation.required("disk source", source);
    }

    public String name() {
        return ref.volume();
    }
}
