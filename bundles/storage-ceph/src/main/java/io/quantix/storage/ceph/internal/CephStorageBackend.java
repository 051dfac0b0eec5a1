package io.quantix.storage.ceph.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantix.api.Capability;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.PoolUsage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.NodeDirectories;
import io.quantix.api.spi.StorageBackend;
import io.quantix.storage.qemu.QemuImg;
import io.quantix.storage.qemu.Uploads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ceph RBD pools: each volume is one raw RBD image, which QEMU opens itself through librbd (the volume's source
 * is a {@link DiskSource.Network}), with nothing mounted or mapped on the node. The cluster is the only record
 * of the volumes. Works through the {@code rbd}/{@code ceph} CLIs (librbd underneath), which offer every
 * operation needed here, snapshot protection and clone children included, with JSON output; qemu-img's
 * {@code rbd:} driver has no snapshot protection, clones or children.
 *
 * <p>Names that the API can never produce (they start with {@code _}) mark what this backend keeps for itself:
 * a template is an image with a protected snapshot {@value #TEMPLATE_SNAPSHOT} that its clones come from; a
 * clone of a plain volume comes from a protected snapshot {@code _qx-clone-<clone>} of it, removed with the
 * clone; images being built are named {@code _qx-part-<uuid>} until they are complete.
 */
@Component(service = StorageBackend.class, property = Backend.PROPERTY + "=" + CephStorageBackend.NAME)
public class CephStorageBackend implements StorageBackend {
    static final String NAME = "ceph";
    static final String TEMPLATE_SNAPSHOT = "_qx-template";
    static final String CLONE_SNAPSHOT = "_qx-clone-";
    static final String PART = "_qx-part-";
    private static final Logger LOG = LoggerFactory.getLogger(CephStorageBackend.class);

    /** A pool's options, the CLI for them, and the login its volumes carry to the hypervisor. */
    private record Pool(StoragePoolSpec spec, CephPoolOptions options, CephCli cli, DiskSource.Credentials login) {
        static Pool open(StoragePoolSpec spec) {
            CephPoolOptions options = CephPoolOptions.of(spec);
            String key = Keyring.key(options.keyring(), options.user());
            return new Pool(spec, options, new CephCli(options),
                    new DiskSource.Credentials(spec.name(), options.user(), key));
        }

        String subject(String kind, String name) {
            return kind + " '" + spec.name() + "/" + name + "'";
        }
    }

    @Override
    public Set<Capability> capabilities() {
        // no QCOW2: RBD images are raw, and RBD itself gives thin provisioning, snapshots and copy-on-write
        // clones; no ISO_LIBRARY: a CD-ROM on RBD would be an image per ISO with nothing gained over a dir pool
        return Set.of(Capability.RAW, Capability.THIN_PROVISIONING, Capability.VOLUME_RESIZE, Capability.VOLUME_CLONE,
                Capability.VOLUME_SNAPSHOT, Capability.TEMPLATES, Capability.IMAGE_IMPORT);
    }

    @Override
    public Set<String> hostPathOptions() {
        return Set.of(CephPoolOptions.KEYRING);
    }

    @Override
    public String description() {
        return "Ceph RBD pools through librbd (rbd CLI)";
    }

    /** Reaches the monitors, reads the pool's space and lists its images: creates nothing. */
    @Override
    public PoolUsage probe(StoragePoolSpec spec) {
        Pool pool = Pool.open(spec);
        PoolUsage usage = usage(pool);
        pool.cli().rbd("RBD pool '" + pool.options().rbdPool() + "'", "ls", pool.options().rbdPool());
        return usage;
    }

    @Override
    public List<Volume> volumes(StoragePoolSpec spec) {
        Pool pool = Pool.open(spec);
        JsonNode du = pool.cli().rbdJson("RBD pool '" + pool.options().rbdPool() + "'", "du", "--pool",
                pool.options().rbdPool());
        return volumes(pool, du).stream().sorted(Comparator.comparing(Volume::name)).toList();
    }

    @Override
    public Volume createVolume(StoragePoolSpec spec, VolumeSpec volume) {
        if (volume.format() != VolumeFormat.RAW) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "ceph pool '" + spec.name() + "' holds raw RBD images"
                    + " only: RBD itself gives thin provisioning, snapshots and clones. Create the volume as raw");
        }
        Pool pool = Pool.open(spec);
        requireRoom(pool, volume.name(), volume.sizeBytes());
        try {
            pool.cli().rbd(pool.subject("volume", volume.name()), "create", "--size", volume.sizeBytes() + "B",
                    pool.cli().spec(volume.name()));
        } catch (QuantixException e) {
            throw e.code() == ErrorCode.ALREADY_EXISTS ? taken(pool, volume.name()) : e;
        }
        LOG.info("Created RBD volume {}/{} ({} bytes)", spec.name(), volume.name(), volume.sizeBytes());
        return describe(pool, volume.name());
    }

    /** Refused while a clone comes from it or a client (a VM) has it open; its own snapshots go with it. */
    @Override
    public void deleteVolume(StoragePoolSpec spec, String volume) {
        Validation.name("volume", volume);
        Pool pool = Pool.open(spec);
        CephCli cli = pool.cli();
        JsonNode info = cli.rbdJson(pool.subject("volume", volume), "info", cli.spec(volume));
        JsonNode snapshots = cli.rbdJson(pool.subject("volume", volume), "snap", "ls", cli.spec(volume));
        boolean template = StreamSupport.stream(snapshots.spliterator(), false)
                .anyMatch(s -> s.path("name").asText().equals(TEMPLATE_SNAPSHOT));
        String subject = pool.subject(template ? "template" : "volume", volume);
        List<String> clones = new ArrayList<>();
        for (JsonNode snapshot : snapshots) {
            cli.rbdJson(subject, "children", cli.spec(volume, snapshot.path("name").asText()))
                    .forEach(child -> clones.add(child.path("image").asText()));
        }
        if (!clones.isEmpty()) {
            throw new QuantixException(ErrorCode.CONFLICT, subject + " has clones (" + String.join(", ", clones)
                    + "): delete them first");
        }
        int watchers = cli.rbdJson(subject, "status", cli.spec(volume)).path("watchers").size();
        if (watchers > 0) {
            throw new QuantixException(ErrorCode.CONFLICT, subject + " is open by a VM or another Ceph client ("
                    + watchers + (watchers == 1 ? " watcher)" : " watchers)"));
        }
        for (JsonNode snapshot : snapshots) {
            if (snapshot.path("protected").asText().equals("true")) {
                cli.rbd(subject, "snap", "unprotect", cli.spec(volume, snapshot.path("name").asText()));
            }
        }
        if (!snapshots.isEmpty()) {
            cli.rbd(subject, "snap", "purge", cli.spec(volume));
        }
        cli.rbd(subject, "rm", cli.spec(volume));
        LOG.info("Deleted RBD volume {}/{}", spec.name(), volume);
        releaseCloneSnapshot(pool, info.path("parent"));
    }

    @Override
    public Volume resizeVolume(StoragePoolSpec spec, String volume, long newSizeBytes) {
        Validation.range("volume size (bytes)", newSizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        Pool pool = Pool.open(spec);
        Volume current = describe(pool, volume);
        if (current.template()) {
            throw new QuantixException(ErrorCode.CONFLICT, pool.subject("template", volume) + " is read-only");
        }
        if (newSizeBytes < current.capacity()) {
            throw QuantixException.invalid("volume " + current.ref() + " is " + current.capacity()
                    + " bytes; shrinking it to " + newSizeBytes + " bytes would lose data");
        }
        if (newSizeBytes == current.capacity()) {
            return current;
        }
        requireRoom(pool, volume, newSizeBytes);
        // a VM that has the image open is told by librbd and sees the new size at its next block resize
        pool.cli().rbd(pool.subject("volume", volume), "resize", "--size", newSizeBytes + "B", pool.cli().spec(volume));
        LOG.info("Resized RBD volume {}/{} from {} to {} bytes", spec.name(), volume, current.capacity(), newSizeBytes);
        return describe(pool, volume);
    }

    /** Copy-on-write: a template's clones come from its template snapshot, a volume's from a snapshot taken now. */
    @Override
    public Volume cloneVolume(StoragePoolSpec spec, String source, String target) {
        Validation.name("volume", target);
        Pool pool = Pool.open(spec);
        CephCli cli = pool.cli();
        Volume from = describe(pool, source);
        requireFree(pool, target);
        String subject = pool.subject("volume", target);
        if (from.template()) {
            clone(pool, cli.spec(source, TEMPLATE_SNAPSHOT), target);
        } else {
            String snapshot = cli.spec(source, CLONE_SNAPSHOT + target);
            cli.rbd(subject, "snap", "create", snapshot);
            try {
                cli.rbd(subject, "snap", "protect", snapshot);
                clone(pool, snapshot, target);
            } catch (QuantixException e) {
                removeSnapshotQuietly(pool, snapshot);
                throw e;
            }
        }
        LOG.info("Cloned RBD volume {}/{} from {}", spec.name(), target, source);
        return describe(pool, target);
    }

    /** A full copy of the volume (which stays as it is) that gets the protected snapshot its clones come from. */
    @Override
    public Volume createTemplate(StoragePoolSpec spec, String volume, String template) {
        Validation.name("template", template);
        Pool pool = Pool.open(spec);
        CephCli cli = pool.cli();
        describe(pool, volume);
        requireFree(pool, template);
        String part = PART + UUID.randomUUID();
        String subject = pool.subject("template", template);
        try {
            cli.rbd(subject, CephCli.COPY_TIMEOUT, "cp", cli.spec(volume), cli.spec(part));
            cli.rbd(subject, "snap", "create", cli.spec(part, TEMPLATE_SNAPSHOT));
            cli.rbd(subject, "snap", "protect", cli.spec(part, TEMPLATE_SNAPSHOT));
            publish(pool, part, template);
        } catch (QuantixException e) {
            removeQuietly(pool, part);
            throw e;
        }
        LOG.info("Created RBD template {}/{} from {}", spec.name(), template, volume);
        return describe(pool, template);
    }

    @Override
    public List<VolumeSnapshot> volumeSnapshots(StoragePoolSpec spec, String volume) {
        Validation.name("volume", volume);
        Pool pool = Pool.open(spec);
        JsonNode snapshots = pool.cli().rbdJson(pool.subject("volume", volume), "snap", "ls", pool.cli().spec(volume));
        VolumeRef ref = new VolumeRef(spec.name(), volume);
        return StreamSupport.stream(snapshots.spliterator(), false)
                .filter(s -> !s.path("name").asText().startsWith("_"))
                .sorted(Comparator.comparingLong(s -> s.path("id").asLong()))
                .map(s -> new VolumeSnapshot(ref, s.path("name").asText()))
                .toList();
    }

    @Override
    public VolumeSnapshot snapshotVolume(StoragePoolSpec spec, String volume, String snapshot) {
        VolumeSnapshot taken = new VolumeSnapshot(new VolumeRef(spec.name(), volume), snapshot);
        Pool pool = Pool.open(spec);
        describe(pool, volume);
        try {
            pool.cli().rbd(pool.subject("volume", volume), "snap", "create", pool.cli().spec(volume, snapshot));
        } catch (QuantixException e) {
            throw e.code() == ErrorCode.ALREADY_EXISTS
                    ? QuantixException.alreadyExists("volume snapshot", taken.volume() + "@" + snapshot) : e;
        }
        LOG.info("Took snapshot {} of RBD volume {}/{}", snapshot, spec.name(), volume);
        return taken;
    }

    @Override
    public void deleteVolumeSnapshot(StoragePoolSpec spec, String volume, String snapshot) {
        // the name rule keeps this backend's own snapshots (they start with '_') out of reach
        VolumeSnapshot gone = new VolumeSnapshot(new VolumeRef(spec.name(), volume), snapshot);
        Pool pool = Pool.open(spec);
        describe(pool, volume);
        try {
            pool.cli().rbd(pool.subject("volume", volume), "snap", "rm", pool.cli().spec(volume, snapshot));
        } catch (QuantixException e) {
            throw e.code() == ErrorCode.NOT_FOUND ? QuantixException.notFound("volume snapshot",
                    gone.volume() + "@" + snapshot) : e;
        }
        LOG.info("Deleted snapshot {} of RBD volume {}/{}", snapshot, spec.name(), volume);
    }

    /**
     * A raw image is streamed straight into {@code rbd import}; a qcow2 image is first stored in a temporary
     * file (qemu-img needs to seek), checked to name no other file, and converted to raw. Either way the image
     * is built under a hidden name and only then named: a failure leaves nothing.
     */
    @Override
    public Volume importVolume(StoragePoolSpec spec, String name, VolumeFormat format, InputStream image,
            long maxBytes) {
        Validation.name("volume", name);
        Validation.range("image size limit (bytes)", maxBytes, 1, Long.MAX_VALUE);
        Pool pool = Pool.open(spec);
        requireFree(pool, name);
        String part = PART + UUID.randomUUID();
        String subject = pool.subject("volume", name);
        try {
            if (format == VolumeFormat.RAW) {
                pool.cli().importStream(subject, part, image, maxBytes);
            } else {
                importQcow2(pool, subject, part, image, maxBytes);
            }
            publish(pool, part, name);
        } catch (QuantixException e) {
            removeQuietly(pool, part);
            throw e;
        }
        LOG.info("Imported a {} image as RBD volume {}/{}", format.id(), spec.name(), name);
        return describe(pool, name);
    }

    private static void importQcow2(Pool pool, String subject, String part, InputStream image, long maxBytes) {
        Path dir = NodeDirectories.data().resolve("tmp");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot create " + dir + ": " + e.getMessage(), e);
        }
        Path qcow2 = dir.resolve("." + part + ".qcow2");
        Path raw = dir.resolve("." + part + ".raw");
        try {
            Uploads.copy(image, qcow2, maxBytes);
            QemuImg.requireSafeImage(qcow2.toString(), VolumeFormat.QCOW2);
            QemuImg.copy(qcow2.toString(), VolumeFormat.QCOW2, raw.toString(), VolumeFormat.RAW);
            // rbd import skips the zeroes of the sparse file: the image stays thin
            pool.cli().rbd(subject, CephCli.COPY_TIMEOUT, "import", raw.toString(), pool.cli().spec(part));
        } finally {
            Uploads.deleteQuietly(qcow2);
            Uploads.deleteQuietly(raw);
        }
    }

    /** Space as Ceph counts it for the pool: logical bytes stored, and what can still be written given its replication. */
    private static PoolUsage usage(Pool pool) {
        String rbdPool = pool.options().rbdPool();
        JsonNode df = pool.cli().cephJson("RBD pool '" + rbdPool + "'", "df");
        for (JsonNode p : df.path("pools")) {
            if (p.path("name").asText().equals(rbdPool)) {
                long stored = p.path("stats").path("stored").asLong();
                long available = p.path("stats").path("max_avail").asLong();
                return new PoolUsage(stored + available, stored, available);
            }
        }
        throw new QuantixException(ErrorCode.NOT_FOUND, "RBD pool '" + rbdPool + "' does not exist on the Ceph cluster at "
                + pool.options().monitorList());
    }

    /** Like a dir pool, no volume larger than the whole pool: thin images may add up to more, as in any thin pool. */
    private static void requireRoom(Pool pool, String volume, long bytes) {
        long capacity = usage(pool).capacity();
        if (bytes > capacity) {
            throw new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, "volume " + Validation.quote(volume) + " of "
                    + bytes + " bytes does not fit pool " + Validation.quote(pool.spec().name()) + " of " + capacity
                    + " bytes");
        }
    }

    private static Volume describe(Pool pool, String name) {
        Validation.name("volume", name);
        JsonNode du = pool.cli().rbdJson(pool.subject("volume", name), "du", pool.cli().spec(name));
        return volumes(pool, du).stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> QuantixException.notFound("volume", pool.spec().name() + "/" + name));
    }

    /**
     * Volumes from {@code rbd du} output: an entry per image and one per snapshot of it. An image's allocation
     * counts its snapshots too (with fast-diff, du gives each snapshot the data written before it, and the image
     * only what came after its last one): what it takes on the pool. Images whose names the API could not give
     * (this backend's own {@code _qx-part-*}, or another tool's) are not volumes.
     */
    private static List<Volume> volumes(Pool pool, JsonNode du) {
        Map<String, Long> capacity = new LinkedHashMap<>();
        Map<String, Long> allocation = new HashMap<>();
        Set<String> templates = new HashSet<>();
        for (JsonNode entry : du.path("images")) {
            String name = entry.path("name").asText();
            allocation.merge(name, entry.path("used_size").asLong(), Long::sum);
            if (!entry.has("snapshot")) {
                capacity.put(name, entry.path("provisioned_size").asLong());
            } else if (entry.path("snapshot").asText().equals(TEMPLATE_SNAPSHOT)) {
                templates.add(name);
            }
        }
        List<Volume> volumes = new ArrayList<>();
        capacity.forEach((name, size) -> {
            if (isVolumeName(name)) {
                volumes.add(new Volume(new VolumeRef(pool.spec().name(), name), VolumeFormat.RAW, size,
                        allocation.get(name), new DiskSource.Network(DiskSource.Protocol.RBD,
                                pool.options().rbdPool() + "/" + name, pool.options().monitors(),
                                Optional.of(pool.login())), templates.contains(name)));
            }
        });
        return volumes;
    }

    private static boolean isVolumeName(String name) {
        try {
            Validation.name("volume", name);
            return true;
        } catch (QuantixException e) {
            return false;
        }
    }

    private static void requireFree(Pool pool, String name) {
        try {
            pool.cli().rbd(pool.subject("volume", name), "info", pool.cli().spec(name));
        } catch (QuantixException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return;
            }
            throw e;
        }
        throw taken(pool, name);
    }

    private static QuantixException taken(Pool pool, String name) {
        return QuantixException.alreadyExists("volume", pool.spec().name() + "/" + name);
    }

    private static void clone(Pool pool, String snapshot, String target) {
        try {
            pool.cli().rbd(pool.subject("volume", target), "clone", snapshot, pool.cli().spec(target));
        } catch (QuantixException e) {
            throw e.code() == ErrorCode.ALREADY_EXISTS ? taken(pool, target) : e;
        }
    }

    /** Gives a finished image its name: {@code rbd rename} fails rather than replace an image of that name. */
    private static void publish(Pool pool, String part, String name) {
        try {
            pool.cli().rbd(pool.subject("volume", name), "rename", pool.cli().spec(part), pool.cli().spec(name));
        } catch (QuantixException e) {
            throw e.code() == ErrorCode.ALREADY_EXISTS ? taken(pool, name) : e;
        }
    }

    /** After a clone of a plain volume is gone, the snapshot made for it goes too. */
    private static void releaseCloneSnapshot(Pool pool, JsonNode parent) {
        String snapshot = parent.path("snapshot").asText();
        if (!snapshot.startsWith(CLONE_SNAPSHOT) || !parent.path("pool").asText().equals(pool.options().rbdPool())) {
            return;
        }
        removeSnapshotQuietly(pool, pool.cli().spec(parent.path("image").asText(), snapshot));
    }

    private static void removeSnapshotQuietly(Pool pool, String snapshot) {
        try {
            pool.cli().rbd(snapshot, "snap", "unprotect", snapshot);
        } catch (QuantixException e) {
            // not protected (the failure came before protecting it): removing it is all that is left
        }
        try {
            pool.cli().rbd(snapshot, "snap", "rm", snapshot);
        } catch (QuantixException e) {
            LOG.warn("Could not remove RBD snapshot {}: {}", snapshot, e.getMessage());
        }
    }

    /** Removes a half-built image and whatever snapshots it got. */
    private static void removeQuietly(Pool pool, String image) {
        CephCli cli = pool.cli();
        try {
            cli.rbd(image, "snap", "unprotect", cli.spec(image, TEMPLATE_SNAPSHOT));
        } catch (QuantixException e) {
            // it had no protected snapshot yet
        }
        try {
            cli.rbd(image, "snap", "purge", cli.spec(image));
            cli.rbd(image, "rm", cli.spec(image));
        } catch (QuantixException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                LOG.warn("Could not remove the unfinished RBD image {}: {}", cli.spec(image), e.getMessage());
            }
        }
    }
}
