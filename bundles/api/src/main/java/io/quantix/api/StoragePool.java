package io.quantix.api;

import java.util.Optional;

/**
 * A pool and what its backend reports now. Sizes are in bytes, 0 when the pool is not available.
 *
 * @param message why the pool is not {@link Availability#AVAILABLE}
 */
public record StoragePool(StoragePoolSpec spec, Availability status, long capacity, long allocation, long available,
        Optional<String> message) {
    public StoragePool {
        Validation.required("pool spec", spec);
        Validation.required("status", status);
        Validation.required("message", message);
    }

    public String name() {
        return spec.name();
    }
}
