package io.quantix.api.spi;

import io.quantix.api.ErrorCode;
import io.quantix.api.IsoImage;
import io.quantix.api.PoolUsage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

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

    /**
     * Whether the pool's volumes are made and deleted outside Quantix (an iSCSI target's LUNs, made by the target's
     * administrator): then deleting the pool's definition takes nothing with it, so it needs no empty pool, only no
     * VM using one of them. False by default: a pool is deleted once its volumes are.
     */
    default boolean volumesManagedOutside() {
        return false;
    }

    /**
     * Removes what an operation interrupted by a crash left in the pool: the temporary files of volumes, clones, imports
     * and uploads that never got their name (they were never listed, but take space). Called by the core when the
     * backend binds and after a node start; it must leave alone what this backend is writing at the moment. Nothing
     * to do by default, for a backend whose every create is atomic where the data lives.
     */
    default void removeLeftovers(StoragePoolSpec pool) {
    }

    /**
     * The pool options whose values are paths on this host (a folder, a keyring, a secret file). The core accepts
     * them from an API client only under the folders the node's configuration allows, before {@link #probe}.
     */
    default Set<String> hostPathOptions() {
        return Set.of();
    }

    // Beyond the basics: a backend advertises the Capability named on each and keeps the UNSUPPORTED default otherwise.

    /**
     * VOLUME_CLONE: a new volume with the source's content, copy-on-write where the backend can (qcow2 backing
     * file, RBD clone), a full copy otherwise. The source may be a template. ALREADY_EXISTS if the target is taken.
     */
    default Volume cloneVolume(StoragePoolSpec pool, String source, String target) {
        throw unsupported(pool, "cloning volumes");
    }

    /** TEMPLATES: a read-only template made from a volume, which stays as it is. */
    default Volume createTemplate(StoragePoolSpec pool, String volume, String template) {
        throw unsupported(pool, "templates");
    }

    /** VOLUME_SNAPSHOT: oldest first. */
    default List<VolumeSnapshot> volumeSnapshots(StoragePoolSpec pool, String volume) {
        throw unsupported(pool, "volume snapshots");
    }

    default VolumeSnapshot snapshotVolume(StoragePoolSpec pool, String volume, String snapshot) {
        throw unsupported(pool, "volume snapshots");
    }

    default void deleteVolumeSnapshot(StoragePoolSpec pool, String volume, String snapshot) {
        throw unsupported(pool, "volume snapshots");
    }

    /**
     * IMAGE_IMPORT: a new volume holding the image read from {@code image} (qcow2 or raw, as {@code format}
     * says). More than {@code maxBytes}, a broken stream or an image qemu-img rejects leaves no volume behind.
     */
    default Volume importVolume(StoragePoolSpec pool, String name, VolumeFormat format, InputStream image,
            long maxBytes) {
        throw unsupported(pool, "image import");
    }

    /** ISO_LIBRARY: the pool's ISO images, by name. */
    default List<IsoImage> isos(StoragePoolSpec pool) {
        throw unsupported(pool, "an ISO library");
    }

    /** ISO_LIBRARY: stores an ISO read from {@code data}; an upload that breaks or exceeds maxBytes leaves no file. */
    default IsoImage uploadIso(StoragePoolSpec pool, String name, InputStream data, long maxBytes) {
        throw unsupported(pool, "an ISO library");
    }

    default void deleteIso(StoragePoolSpec pool, String name) {
        throw unsupported(pool, "an ISO library");
    }

    private static QuantixException unsupported(StoragePoolSpec pool, String what) {
        return new QuantixException(ErrorCode.UNSUPPORTED,
                "storage backend '" + pool.backend() + "' of pool '" + pool.name() + "' does not offer " + what);
    }
}
