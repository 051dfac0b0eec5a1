package io.quantix.api.service;

import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeSpec;
import java.util.List;

/** Storage pools and their volumes. Pool definitions survive restarts and backend swaps. */
public interface StorageService {

    List<StoragePool> listPools();

    StoragePool getPool(String name);

    /** Checks the pool with its backend first; a pool that cannot be used is not created. */
    StoragePool createPool(StoragePoolSpec spec);

    /** Deletes an empty pool's definition (its directory or export is left as it is). */
    void deletePool(String name);

    List<Volume> listVolumes(String pool);

    Volume createVolume(String pool, VolumeSpec spec);

    /** Refused with CONFLICT while a VM uses the volume. */
    void deleteVolume(String pool, String volume);

    Volume resizeVolume(String pool, String volume, long newSizeBytes);
}
