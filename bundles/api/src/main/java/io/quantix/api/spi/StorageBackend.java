package io.quantix.api.spi;

import io.quantix.api.PoolUsage;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeSpec;
import java.util.List;

/**
 * Serves storage pools of one kind. Pool definitions are kept by the core and passed in on every call,
 * so the backend holds no state of its own and can be swapped at any time.
 */
public interface StorageBackend extends Backend {

    /**
     * Checks that the pool can be used (options valid, storage reachable), preparing it if needed, and
     * measures it. Throws INVALID_ARGUMENT or BACKEND_ERROR with the reason otherwise.
     */
    PoolUsage probe(StoragePoolSpec pool);

    List<Volume> volumes(StoragePoolSpec pool);

    /** ALREADY_EXISTS if taken (never overwrites), INSUFFICIENT_CAPACITY if larger than the pool. */
    Volume createVolume(StoragePoolSpec pool, VolumeSpec spec);

    void deleteVolume(StoragePoolSpec pool, String volume);

    Volume resizeVolume(StoragePoolSpec pool, String volume, long newSizeBytes);
}
