package io.quantix.api;

/** Names a volume: its pool and its name in that pool. */
public record VolumeRef(String pool, String volume) {
    public VolumeRef {
        Validation.name("pool", pool);
        Validation.name("volume", volume);
    }

    @Override
    public String toString() {
        return pool + "/" + volume;
    }
}
