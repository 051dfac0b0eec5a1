package io.quantix.api;

/**
 * A disk to create for a new VM: a fresh volume of {@code sizeBytes} in {@code pool}.
 */
public record DiskSpec(String pool, long sizeBytes, VolumeFormat format, DiskBus bus) {
    public DiskSpec {
        Validation.name("pool", pool);
        Validation.range("disk size (bytes)", sizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        Validation.required("disk format", format);
        Validation.required("disk bus", bus);
    }

    public static DiskSpec of(String pool, long sizeBytes) {
        return new DiskSpec(pool, sizeBytes, VolumeFormat.QCOW2, DiskBus.VIRTIO);
    }
}
