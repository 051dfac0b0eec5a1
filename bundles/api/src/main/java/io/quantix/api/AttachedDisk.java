package io.quantix.api;

/** A disk as the hypervisor sees it: the volume it came from and where its data is. */
public record AttachedDisk(VolumeRef volume, DiskSource source, VolumeFormat format, DiskBus bus) {
    public AttachedDisk {
        Validation.required("volume", volume);
        Validation.required("disk source", source);
        Validation.required("disk format", format);
        Validation.required("disk bus", bus);
    }
}
