package io.quantix.api.service;

import io.quantix.api.IsoImage;
import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import java.io.InputStream;
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

    // Each is UNSUPPORTED when the pool's backend does not advertise the capability it needs.

    /** Copy-on-write where the backend can; the source may be a template (a VM disk from a template). */
    Volume cloneVolume(String pool, String source, String target);

    /** A read-only template made from a volume, in the same pool. */
    Volume createTemplate(String pool, String volume, String template);

    List<VolumeSnapshot> volumeSnapshots(String pool, String volume);

    VolumeSnapshot snapshotVolume(String pool, String volume, String snapshot);

    void deleteVolumeSnapshot(String pool, String volume, String snapshot);

    /**
     * A new volume from a streamed disk image; more than maxBytes or a broken stream leaves nothing behind.
     *
     * @param maxBytes the caller's own bound ({@code Long.MAX_VALUE} for none); the node's upload limit caps it
     */
    Volume importVolume(String pool, String name, VolumeFormat format, InputStream image, long maxBytes);

    List<IsoImage> listIsos(String pool);

    /**
     * Stores a streamed ISO image; more than maxBytes or a broken stream leaves nothing behind.
     *
     * @param maxBytes the caller's own bound ({@code Long.MAX_VALUE} for none); the node's upload limit caps it
     */
    IsoImage uploadIso(String pool, String name, InputStream data, long maxBytes);

    void deleteIso(String pool, String name);
}
