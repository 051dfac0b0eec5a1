package io.quantix.api;

import java.util.Optional;

/**
 * A disk to create for a new VM: a fresh volume of {@code sizeBytes} in {@code pool}.
 *
 * @param format the volume's format; empty leaves it to the pool: the node makes it qcow2 where the pool's backend
 *     offers qcow2 ({@link Capability#QCOW2}), else raw (a Ceph RBD or iSCSI pool), and records the VM with the
 *     format it chose
 */
public record DiskSpec(String pool, long sizeBytes, Optional<VolumeFormat> format, DiskBus bus) {
    public DiskSpec {
        Validation.name("pool", pool);
        Validation.range("disk size (bytes)", sizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        Validation.required("disk format", format);
        Validation.required("disk bus", bus);
    }

    /** A disk of this format. */
    public DiskSpec(String pool, long sizeBytes, VolumeFormat format, DiskBus bus) {
        this(pool, sizeBytes, Optional.of(Validation.required("disk format", format)), bus);
    }

    /** A virtio disk in the pool's own format. */
    public static DiskSpec of(String pool, long sizeBytes) {
        return new DiskSpec(pool, sizeBytes, Optional.empty(), DiskBus.VIRTIO);
    }

    /** The same disk with its format decided. */
    public DiskSpec withFormat(VolumeFormat value) {
        return new DiskSpec(pool, sizeBytes, value, bus);
    }
}
