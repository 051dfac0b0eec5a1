package io.quantix.api;

import java.time.Instant;
import java.util.Optional;

/**
 * A pool and what its backend reported when last asked. Sizes are in bytes, 0 when the pool is not available.
 *
 * @param message why the pool is not {@link Availability#AVAILABLE}
 * @param measuredAt when the backend measured the sizes (they come from a cache refreshed in the background);
 *        empty when the pool is not available
 */
public record StoragePool(StoragePoolSpec spec, Availability status, long capacity, long allocation, long available,
        Optional<String> message, Optional<Instant> measuredAt) {
    public StoragePool {
        Validation.required("pool spec", spec);
        Validation.required("status", status);
        Validation.required("message", message);
        Validation.required("measured at", measuredAt);
    }

    /** A pool whose sizes were not measured. */
    public StoragePool(StoragePoolSpec spec, Availability status, long capacity, long allocation, long available,
            Optional<String> message) {
        this(spec, status, capacity, allocation, available, message, Optional.empty());
    }

    public String name() {
        return spec.name();
    }
}
