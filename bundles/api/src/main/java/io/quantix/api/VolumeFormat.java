package io.quantix.api;

/** On-disk format of a volume. */
public enum VolumeFormat {
    QCOW2, RAW;

    /** The name qemu-img and libvirt use. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
