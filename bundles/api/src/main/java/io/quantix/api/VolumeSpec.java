package io.quantix.api;

/** A volume to create. */
public record VolumeSpec(String name, long sizeBytes, VolumeFormat format) {
    public VolumeSpec {
        Validation.name("volume", name);
        Validation.range("volume size (bytes)", sizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        Validation.required("volume format", format);
    }
}
