package io.quantix.api;

/** An installation or tools ISO image in a pool's ISO library, ready to be inserted into a VM's CD-ROM drive. */
public record IsoImage(String pool, String name, long sizeBytes, DiskSource source) {
    public IsoImage {
        Validation.name("pool", pool);
        Validation.name("ISO image", name);
        Validation.range("ISO image size", sizeBytes, 0, Long.MAX_VALUE);
        Validation.required("disk source", source);
    }
}
