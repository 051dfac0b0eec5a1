package io.quantix.storage.dir.internal;

import io.quantix.api.Capability;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.IsoImage;
import io.quantix.api.PoolUsage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.StorageBackend;
import io.quantix.storage.qemu.FileVolumes;
import io.quantix.storage.qemu.QemuImg;
import io.quantix.storage.qemu.Uploads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directory pools: each volume is one file, {@code <name>.qcow2} or {@code <name>.raw}, in the pool's
 * directory; templates are read-only files of the same kind in its {@code templates/} folder, ISO images are
 * {@code isos/<name>}. The directory is the only record of them, so there is nothing to get out of step.
 * Every new file is written under a hidden temporary name first and then linked to its own (see {@link #publish}):
 * a crash part way leaves only such a temporary file, which is never listed and which {@link #removeLeftovers}
 * deletes.
 */
@Component(service = StorageBackend.class, property = "quantix.backend=dir")
public class DirStorageBackend implements StorageBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DirStorageBackend.class);
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    static final String TEMPLATES = "templates";
    static final String ISOS = "isos";
    private static final String TEMP_SUFFIX = ".part";

    /** The temporary files this backend is writing now: the only ones {@link #removeLeftovers} keeps. */
    private final Set<Path> writing = ConcurrentHashMap.newKeySet();

    @Override
    public Set<Capability> capabilities() {
        return FileVolumes.CAPABILITIES;
    }

    @Override
    public Set<String> hostPathOptions() {
        return Set.of(DirPoolOptions.PATH);
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
            throw FileVolumes.insufficient(spec.name(), spec.sizeBytes(), pool.name(), capacity);
        }
        VolumeFile target = VolumeFile.of(dir, spec.name(), spec.format());
        make(pool, target, temp -> QemuImg.create(temp.toString(), spec.format(), spec.sizeBytes()));
        LOG.info("Created volume {}/{} ({}, {} bytes)", pool.name(), spec.name(), spec.format().id(), spec.sizeBytes());
        return volume(pool, target);
    }

    @Override
    public void deleteVolume(StoragePoolSpec pool, String volume) {
        Path dir = existingDirectory(DirPoolOptions.of(pool));
        VolumeFile file = find(pool, dir, volume);
        if (file.template()) {
            // a clone reads its unwritten clusters from the template: deleting it would break every clone
            List<String> clones = volumes(pool, dir).stream().filter(v -> !v.template())
                    .filter(v -> QemuImg.info(v.source() instanceof DiskSource.File f ? f.path() : "", v.format())
                            .backing().filter(file.path().toString()::equals).isPresent())
                    .map(Volume::name).toList();
            if (!clones.isEmpty()) {
                throw new QuantixException(ErrorCode.CONFLICT, "template " + pool.name() + "/" + volume
                        + " is the base of volumes " + clones + ": delete them first");
            }
        }
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
        VolumeFile file = writable(find(pool, existingDirectory(options), volume));
        long current = QemuImg.info(file.path().toString(), file.format()).virtualSize();
        if (newSizeBytes < current) {
            throw QuantixException.invalid("volume " + pool.name() + "/" + volume + " is " + current
                    + " bytes; shrinking it to " + newSizeBytes + " bytes would lose data");
        }
        long capacity = capacity(options);
        if (newSizeBytes > capacity) {
            throw FileVolumes.insufficient(volume, newSizeBytes, pool.name(), capacity);
        }
        if (newSizeBytes > current) {
            QemuImg.resize(file.path().toString(), file.format(), newSizeBytes);
            LOG.info("Resized volume {}/{} from {} to {} bytes", pool.name(), volume, current, newSizeBytes);
        }
        return volume(pool, file);
    }

    /**
     * A template is read-only, so a clone of it is a qcow2 file backed by it (copy-on-write); any other volume
     * keeps changing under its VM, so its clone is a full copy in its own format.
     */
    @Override
    public Volume cloneVolume(StoragePoolSpec pool, String source, String target) {
        Path dir = existingDirectory(DirPoolOptions.of(pool));
        VolumeFile from = find(pool, dir, source);
        requireFree(pool, dir, target);
        boolean overlay = from.template() && from.format() == VolumeFormat.QCOW2;
        VolumeFile to = VolumeFile.of(dir, target, overlay ? VolumeFormat.QCOW2 : from.format());
        make(pool, to, temp -> {
            if (overlay) {
                QemuImg.createOverlay(temp.toString(), from.path().toString(), from.format());
            } else {
                QemuImg.copy(from.path().toString(), from.format(), temp.toString(), to.format());
            }
        });
        LOG.info("Cloned volume {}/{} from {} ({})", pool.name(), target, source, overlay ? "copy-on-write" : "full copy");
        return volume(pool, to);
    }

    /** A full copy, made read-only: clones of it can then share its clusters safely. */
    @Override
    public Volume createTemplate(StoragePoolSpec pool, String volume, String template) {
        Path dir = existingDirectory(DirPoolOptions.of(pool));
        VolumeFile from = find(pool, dir, volume);
        requireFree(pool, dir, template);
        VolumeFile to = VolumeFile.of(templates(dir), template, from.format()).asTemplate();
        make(pool, to, temp -> {
            QemuImg.copy(from.path().toString(), from.format(), temp.toString(), to.format());
            readOnly(temp);
        });
        LOG.info("Made template {}/{} from volume {}", pool.name(), template, volume);
        return volume(pool, to);
    }

    @Override
    public List<VolumeSnapshot> volumeSnapshots(StoragePoolSpec pool, String volume) {
        VolumeFile file = find(pool, existingDirectory(DirPoolOptions.of(pool)), volume);
        return FileVolumes.snapshots(file.path().toString(), file.format(), new VolumeRef(pool.name(), volume));
    }

    @Override
    public VolumeSnapshot snapshotVolume(StoragePoolSpec pool, String volume, String snapshot) {
        VolumeFile file = writable(find(pool, existingDirectory(DirPoolOptions.of(pool)), volume));
        VolumeSnapshot taken = FileVolumes.snapshot(file.path().toString(), file.format(),
                new VolumeRef(pool.name(), volume), snapshot);
        LOG.info("Took snapshot {} of volume {}/{}", snapshot, pool.name(), volume);
        return taken;
    }

    @Override
    public void deleteVolumeSnapshot(StoragePoolSpec pool, String volume, String snapshot) {
        VolumeFile file = writable(find(pool, existingDirectory(DirPoolOptions.of(pool)), volume));
        FileVolumes.deleteSnapshot(file.path().toString(), file.format(), new VolumeRef(pool.name(), volume), snapshot);
        LOG.info("Deleted snapshot {} of volume {}/{}", snapshot, pool.name(), volume);
    }

    /**
     * Streams the image to a hidden file in the pool and checks it with qemu-img before it gets its name. An image
     * that names a backing or data file is refused: it would make QEMU open a host file of the uploader's choosing.
     */
    @Override
    public Volume importVolume(StoragePoolSpec pool, String name, VolumeFormat format, InputStream image,
            long maxBytes) {
        DirPoolOptions options = DirPoolOptions.of(pool);
        Path dir = prepare(pool, options);
        requireFree(pool, dir, name);
        VolumeFile target = VolumeFile.of(dir, name, format);
        make(pool, target, temp -> {
            Uploads.copy(image, temp, maxBytes);
            long size = QemuImg.requireSafeImage(temp.toString(), format).virtualSize();
            long capacity = capacity(options);
            if (size > capacity) {
                throw FileVolumes.insufficient(name, size, pool.name(), capacity);
            }
        });
        LOG.info("Imported volume {}/{} ({})", pool.name(), name, format.id());
        return volume(pool, target);
    }

    @Override
    public List<IsoImage> isos(StoragePoolSpec pool) {
        Path isos = existingDirectory(DirPoolOptions.of(pool)).resolve(ISOS);
        if (!Files.isDirectory(isos, NO_FOLLOW)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(isos)) {
            return entries.filter(p -> Files.isRegularFile(p, NO_FOLLOW))
                    .filter(p -> FileVolumes.isName(p.getFileName().toString()))
                    .map(p -> iso(pool, p)).sorted(Comparator.comparing(IsoImage::name)).toList();
        } catch (IOException e) {
            throw backendError("cannot list ISO folder " + isos, e);
        }
    }

    @Override
    public IsoImage uploadIso(StoragePoolSpec pool, String name, InputStream data, long maxBytes) {
        Validation.name("ISO image", name);
        Path isos = folder(prepare(pool, DirPoolOptions.of(pool)), ISOS);
        Path target = isos.resolve(name);
        Path temp = tempFor(isos, name);
        try {
            Uploads.copy(data, temp, maxBytes);
            link(temp, target, QuantixException.alreadyExists("ISO image", pool.name() + "/" + name));
        } finally {
            discard(temp);
        }
        LOG.info("Uploaded ISO image {}/{}", pool.name(), name);
        return iso(pool, target);
    }

    @Override
    public void deleteIso(StoragePoolSpec pool, String name) {
        Validation.name("ISO image", name);
        Path file = existingDirectory(DirPoolOptions.of(pool)).resolve(ISOS).resolve(name);
        if (!Files.isRegularFile(file, NO_FOLLOW)) {
            throw QuantixException.notFound("ISO image", pool.name() + "/" + name);
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw backendError("cannot delete " + file, e);
        }
        LOG.info("Deleted ISO image {}/{}", pool.name(), name);
    }

    private static IsoImage iso(StoragePoolSpec pool, Path file) {
        try {
            return new IsoImage(pool.name(), file.getFileName().toString(), Files.size(file),
                    new DiskSource.File(file.toString()));
        } catch (IOException e) {
            throw backendError("cannot read " + file, e);
        }
    }

    /**
     * Makes a volume's file the one safe way: {@code write} fills a hidden temporary file in the target's folder,
     * which then gets the target's name without ever replacing anything. Whatever fails, no file is left.
     */
    private void make(StoragePoolSpec pool, VolumeFile target, Consumer<Path> write) {
        Path folder = target.path().getParent();
        Path temp = tempFor(folder, target.name());
        try {
            write.accept(temp);
            publish(pool, temp, target);
        } finally {
            discard(temp);
        }
    }

    /**
     * Hidden and with a random suffix: never listed, never shared by two concurrent writers. Registered as being
     * written before the file exists, so that {@link #removeLeftovers} never takes it from under its writer.
     */
    private Path tempFor(Path folder, String name) {
        Path temp = folder.resolve("." + name + "." + UUID.randomUUID() + TEMP_SUFFIX);
        writing.add(temp);
        return temp;
    }

    private void discard(Path temp) {
        Uploads.deleteQuietly(temp);
        writing.remove(temp);
    }

    /**
     * Deletes the hidden temporary files in the pool's folders that no write of this backend holds: a node killed
     * while it made a volume, clone, template, import or ISO leaves one (a qemu-img it had started may even still be
     * writing it: the file is unlinked and goes when that process ends). Only names of the form this backend gives
     * its temporary files are touched.
     */
    @Override
    public void removeLeftovers(StoragePoolSpec pool) {
        Path dir = DirPoolOptions.of(pool).directory();
        for (Path folder : List.of(dir, dir.resolve(TEMPLATES), dir.resolve(ISOS))) {
            if (!Files.isDirectory(folder, NO_FOLLOW)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(folder)) {
                entries.filter(DirStorageBackend::isTemp).filter(p -> !writing.contains(p)).forEach(p -> {
                    Uploads.deleteQuietly(p);
                    LOG.info("Removed {}, left by an interrupted write in pool {}", p, pool.name());
                });
            } catch (IOException e) {
                throw backendError("cannot list pool directory " + folder, e);
            }
        }
    }

    private static boolean isTemp(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX) && Files.isRegularFile(file, NO_FOLLOW);
    }

    private static VolumeFile writable(VolumeFile file) {
        FileVolumes.requireWritable(file.name(), file.template());
        return file;
    }

    private static void requireFree(StoragePoolSpec pool, Path dir, String name) {
        Validation.name("volume", name);
        if (taken(dir, name)) {
            throw QuantixException.alreadyExists("volume", new VolumeRef(pool.name(), name).toString());
        }
    }

    private static void readOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        } catch (IOException e) {
            throw backendError("cannot make " + file + " read-only", e);
        }
    }

    private static Path templates(Path dir) {
        return folder(dir, TEMPLATES);
    }

    private static Path folder(Path dir, String name) {
        Path folder = dir.resolve(name);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw backendError("cannot create " + folder, e);
        }
        if (!Files.isDirectory(folder, NO_FOLLOW)) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, folder + " is not a directory");
        }
        return folder;
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
        return Stream.concat(files(dir, false).stream(), files(dir.resolve(TEMPLATES), true).stream())
                .sorted(Comparator.comparing(VolumeFile::name))
                .map(f -> volume(pool, f))
                .toList();
    }

    private static List<VolumeFile> files(Path dir, boolean templates) {
        if (templates && !Files.isDirectory(dir, NO_FOLLOW)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isRegularFile(p, NO_FOLLOW))
                    .map(VolumeFile::parse).flatMap(Optional::stream)
                    .map(f -> templates ? f.asTemplate() : f)
                    .toList();
        } catch (IOException e) {
            throw backendError("cannot list pool directory " + dir, e);
        }
    }

    private static Volume volume(StoragePoolSpec pool, VolumeFile file) {
        QemuImg.Info info = QemuImg.info(file.path().toString(), file.format());
        return new Volume(new VolumeRef(pool.name(), file.name()), file.format(), info.virtualSize(),
                info.actualSize(), new DiskSource.File(file.path().toString()), file.template());
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
        Path dir = target.template() ? target.path().getParent().getParent() : target.path().getParent();
        if (taken(dir, target.name())) {
            throw taken;
        }
        link(temp, target.path(), taken);
    }

    private static void link(Path temp, Path target, QuantixException taken) {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw taken;
        } catch (IOException e) {
            throw backendError("cannot name the new file " + target, e);
        }
    }

    /** Any entry of the name counts, volume or template, whatever its format or type, so nothing is overwritten. */
    private static boolean taken(Path dir, String name) {
        return Arrays.stream(VolumeFormat.values()).anyMatch(f -> Files.exists(VolumeFile.of(dir, name, f).path(), NO_FOLLOW)
                || Files.exists(VolumeFile.of(dir.resolve(TEMPLATES), name, f).path(), NO_FOLLOW));
    }

    private static VolumeFile find(StoragePoolSpec pool, Path dir, String name) {
        Validation.name("volume", name);
        return Arrays.stream(VolumeFormat.values())
                .flatMap(f -> Stream.of(VolumeFile.of(dir, name, f), VolumeFile.of(dir.resolve(TEMPLATES), name, f).asTemplate()))
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

    private static QuantixException backendError(String message, IOException e) {
        return new QuantixException(ErrorCode.BACKEND_ERROR, message + ": " + e.getMessage(), e);
    }
}
