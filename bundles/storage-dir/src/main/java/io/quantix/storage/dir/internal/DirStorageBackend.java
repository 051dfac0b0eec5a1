package io.quantix.storage.dir.internal;

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
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.StorageBackend;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directory pools: each volume is one file, {@code <name>.qcow2} or {@code <name>.raw}, in the pool's
 * directory. The directory is the only record of the volumes, so there is nothing to get out of step.
 */
@Component(service = StorageBackend.class, property = "quantix.backend=dir")
public class DirStorageBackend implements StorageBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DirStorageBackend.class);
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.QCOW2, Capability.RAW, Capability.VOLUME_RESIZE, Capability.THIN_PROVISIONING);
    }

    @Override
    public String description() {
        return "directory pools with qemu-img";
    }

    @Override
    public PoolUsage probe(StoragePoolSpec pool) {
        DirPoolOptions options = DirPoolOptions.of(pool);
        Path dir = prepare(pool, options);
        long capacity = capacity(options);
        long allocation = volumes(pool, dir).stream().mapToLong(Volume::allocation).sum();
        long usable;
        try {
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw backendError("cannot measure pool directory " + dir, e);
        }
        return new PoolUsage(capacity, allocation, Math.max(0, Math.min(usable, capacity - allocation)));
    }

    @Override
    public List<Volume> volumes(StoragePoolSpec pool) {
        return volumes(pool, existingDirectory(DirPoolOptions.of(pool)));
    }

    @Override
    public Volume createVolume(StoragePoolSpec pool, VolumeSpec spec) {
        DirPoolOptions options = DirPoolOptions.of(pool);
        // a shipped or hand-written pool may never have been probed: its first volume makes the directory
        Path dir = prepare(pool, options);
        if (taken(dir, spec.name())) {
            throw QuantixException.alreadyExists("volume", new VolumeRef(pool.name(), spec.name()).toString());
        }
        long capacity = capacity(options);
        if (spec.sizeBytes() > capacity) {
            throw insufficient(spec.name(), spec.sizeBytes(), pool, capacity);
        }
        VolumeFile target = VolumeFile.of(dir, spec.name(), spec.format());
        // hidden and with a random suffix: never listed as a volume, never shared by two concurrent creates
        Path temp = dir.resolve("." + spec.name() + "." + UUID.randomUUID() + ".part");
        try {
            QemuImg.create(temp, spec.format(), spec.sizeBytes());
            publish(pool, temp, target);
        } finally {
            deleteQuietly(temp);
        }
        LOG.info("Created volume {}/{} ({}, {} bytes)", pool.name(), spec.name(), spec.format().id(), spec.sizeBytes());
        return volume(pool, target);
    }

    @Override
    public void deleteVolume(StoragePoolSpec pool, String volume) {
        VolumeFile file = find(pool, existingDirectory(DirPoolOptions.of(pool)), volume);
        try {
            Files.delete(file.path());
        } catch (IOException e) {
            throw backendError("cannot delete " + file.path(), e);
        }
        LOG.info("Deleted volume {}/{}", pool.name(), volume);
    }

    @Override
    public Volume resizeVolume(StoragePoolSpec pool, String volume, long newSizeBytes) {
        Validation.range("volume size (bytes)", newSizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        DirPoolOptions options = DirPoolOptions.of(pool);
        VolumeFile file = find(pool, existingDirectory(options), volume);
        long current = QemuImg.info(file.path(), file.format()).virtualSize();
        if (newSizeBytes < current) {
            throw QuantixException.invalid("volume " + pool.name() + "/" + volume + " is " + current
                    + " bytes; shrinking it to " + newSizeBytes + " bytes would lose data");
        }
        long capacity = capacity(options);
        if (newSizeBytes > capacity) {
            throw insufficient(volume, newSizeBytes, pool, capacity);
        }
        if (newSizeBytes > current) {
            QemuImg.resize(file.path(), file.format(), newSizeBytes);
            LOG.info("Resized volume {}/{} from {} to {} bytes", pool.name(), volume, current, newSizeBytes);
        }
        return volume(pool, file);
    }

    /** Creates the pool's directory if missing and checks it is a writable directory. */
    private static Path prepare(StoragePoolSpec pool, DirPoolOptions options) {
        Path dir = options.directory();
        if (!Files.exists(dir, NO_FOLLOW)) {
            try {
                Files.createDirectories(dir);
                LOG.info("Created directory {} for pool {}", dir, pool.name());
            } catch (IOException e) {
                throw backendError("cannot create pool directory " + dir, e);
            }
        }
        existingDirectory(options);
        if (!Files.isWritable(dir)) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "pool directory " + dir + " is not writable");
        }
        return dir;
    }

    private static List<Volume> volumes(StoragePoolSpec pool, Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isRegularFile(p, NO_FOLLOW))
                    .map(VolumeFile::parse).flatMap(Optional::stream)
                    .sorted(Comparator.comparing(VolumeFile::name))
                    .map(f -> volume(pool, f))
                    .toList();
        } catch (IOException e) {
            throw backendError("cannot list pool directory " + dir, e);
        }
    }

    private static Volume volume(StoragePoolSpec pool, VolumeFile file) {
        QemuImg.Info info = QemuImg.info(file.path(), file.format());
        return new Volume(new VolumeRef(pool.name(), file.name()), file.format(), info.virtualSize(),
                info.actualSize(), new DiskSource.File(file.path().toString()));
    }

    /**
     * Gives the finished image its name without ever replacing a file. A hard link is used rather than
     * {@code Files.move(ATOMIC_MOVE)}: on Linux that is rename(2), which silently replaces an existing
     * target, while link(2) fails if the name is taken. The lock covers the other format's name, which
     * link(2) cannot see; all creates of a node run in this one process.
     */
    private synchronized void publish(StoragePoolSpec pool, Path temp, VolumeFile target) {
        QuantixException taken = QuantixException.alreadyExists("volume",
                new VolumeRef(pool.name(), target.name()).toString());
        if (taken(target.path().getParent(), target.name())) {
            throw taken;
        }
        try {
            Files.createLink(target.path(), temp);
        } catch (FileAlreadyExistsException e) {
            throw taken;
        } catch (IOException e) {
            throw backendError("cannot name the new volume " + target.path(), e);
        }
    }

    /** Any entry of the name counts, whatever its format or type, so nothing is ever overwritten. */
    private static boolean taken(Path dir, String name) {
        return Arrays.stream(VolumeFormat.values())
                .anyMatch(f -> Files.exists(VolumeFile.of(dir, name, f).path(), NO_FOLLOW));
    }

    private static VolumeFile find(StoragePoolSpec pool, Path dir, String name) {
        Validation.name("volume", name);
        return Arrays.stream(VolumeFormat.values())
                .map(f -> VolumeFile.of(dir, name, f))
                .filter(f -> Files.isRegularFile(f.path(), NO_FOLLOW))
                .findFirst()
                .orElseThrow(() -> QuantixException.notFound("volume", pool.name() + "/" + name));
    }

    private static Path existingDirectory(DirPoolOptions options) {
        Path dir = options.directory();
        if (Files.isDirectory(dir)) {
            return dir;
        }
        if (Files.exists(dir)) {
            throw QuantixException.invalid("dir pool path " + Validation.quote(dir.toString())
                    + " exists but is not a directory");
        }
        throw new QuantixException(ErrorCode.BACKEND_ERROR, "pool directory " + dir + " does not exist");
    }

    /** The file system's size, or the quota when smaller. */
    private static long capacity(DirPoolOptions options) {
        try {
            FileStore store = Files.getFileStore(options.directory());
            long total = store.getTotalSpace();
            return options.quota().isPresent() ? Math.min(total, options.quota().getAsLong()) : total;
        } catch (IOException e) {
            throw backendError("cannot measure pool directory " + options.directory(), e);
        }
    }

    private static QuantixException insufficient(String volume, long bytes, StoragePoolSpec pool, long capacity) {
        return new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, "volume " + Validation.quote(volume) + " of "
                + bytes + " bytes does not fit pool " + Validation.quote(pool.name()) + " of " + capacity + " bytes");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not remove temporary file {}: {}", file, e.toString());
        }
    }

    private static QuantixException backendError(String message, IOException e) {
        return new QuantixException(ErrorCode.BACKEND_ERROR, message + ": " + e.getMessage(), e);
    }
}
