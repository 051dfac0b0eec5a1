package io.quantix.storage.nfs.internal;

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
import io.quantix.api.spi.NodeDirectories;
import io.quantix.api.spi.StorageBackend;
import io.quantix.storage.qemu.FileVolumes;
import io.quantix.storage.qemu.QemuImg;
import io.quantix.storage.qemu.Uploads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NFS pools without a mount: volumes are {@code <name>.qcow2|raw} files in the pool's folder on the export, that
 * qemu-img and QEMU open as {@code nfs://} URLs with their own NFS client; templates are read-only files in its
 * {@code templates/} folder and ISO images are {@code isos/<name>}. What qemu-img cannot do (list, name, delete,
 * measure) this backend does over NFSv3 itself ({@link NfsClient}). The export is the only record of the volumes.
 */
@Component(service = StorageBackend.class, property = "quantix.backend=nfs")
public class NfsStorageBackend implements StorageBackend {
    private static final Logger LOG = LoggerFactory.getLogger(NfsStorageBackend.class);
    static final String TEMPLATES = "templates";
    static final String ISOS = "isos";

    @Override
    public Set<Capability> capabilities() {
        return FileVolumes.CAPABILITIES;
    }

    @Override
    public String description() {
        return "NFS exports through QEMU's and Quantix's user-space NFSv3 clients (no mount)";
    }

    /** Reachable, mountable and holding the pool's folder: otherwise an error and nothing created. */
    @Override
    public PoolUsage probe(StoragePoolSpec pool) {
        return session(pool, s -> {
            NfsClient.FsStat stat = s.client.fsstat();
            long allocation = s.volumes().stream().mapToLong(Volume::allocation).sum();
            return new PoolUsage(stat.total(), allocation, stat.available());
        });
    }

    @Override
    public List<Volume> volumes(StoragePoolSpec pool) {
        return session(pool, Session::volumes);
    }

    @Override
    public Volume createVolume(StoragePoolSpec pool, VolumeSpec spec) {
        return session(pool, s -> {
            s.requireFree(spec.name());
            long capacity = s.client.fsstat().total();
            if (spec.sizeBytes() > capacity) {
                throw FileVolumes.insufficient(spec.name(), spec.sizeBytes(), pool.name(), capacity);
            }
            Entry target = new Entry(spec.name(), spec.format(), false);
            s.make(target, temp -> QemuImg.create(temp, spec.format(), spec.sizeBytes()));
            LOG.info("Created volume {}/{} ({}, {} bytes)", pool.name(), spec.name(), spec.format().id(), spec.sizeBytes());
            return s.volume(target);
        });
    }

    @Override
    public void deleteVolume(StoragePoolSpec pool, String volume) {
        session(pool, s -> {
            Entry entry = s.find(volume);
            if (entry.template()) {
                String url = s.url(entry.file());
                List<String> clones = s.entries().stream().filter(e -> !e.template())
                        .filter(e -> QemuImg.info(s.url(e.file()), e.format()).backing().filter(url::equals).isPresent())
                        .map(Entry::name).toList();
                if (!clones.isEmpty()) {
                    throw new QuantixException(ErrorCode.CONFLICT, "template " + pool.name() + "/" + volume
                            + " is the base of volumes " + clones + ": delete them first");
                }
            }
            s.client.remove(s.dir(entry.template()), entry.fileName());
            LOG.info("Deleted volume {}/{}", pool.name(), volume);
            return null;
        });
    }

    @Override
    public Volume resizeVolume(StoragePoolSpec pool, String volume, long newSizeBytes) {
        Validation.range("volume size (bytes)", newSizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        return session(pool, s -> {
            Entry entry = writable(s.find(volume));
            long current = QemuImg.info(s.url(entry.file()), entry.format()).virtualSize();
            if (newSizeBytes < current) {
                throw QuantixException.invalid("volume " + pool.name() + "/" + volume + " is " + current
                        + " bytes; shrinking it to " + newSizeBytes + " bytes would lose data");
            }
            long capacity = s.client.fsstat().total();
            if (newSizeBytes > capacity) {
                throw FileVolumes.insufficient(volume, newSizeBytes, pool.name(), capacity);
            }
            if (newSizeBytes > current) {
                QemuImg.resize(s.url(entry.file()), entry.format(), newSizeBytes);
            }
            return s.volume(entry);
        });
    }

    /** Copy-on-write (a qcow2 overlay backed by the template's URL) from a qcow2 template, a full copy otherwise. */
    @Override
    public Volume cloneVolume(StoragePoolSpec pool, String source, String target) {
        return session(pool, s -> {
            Entry from = s.find(source);
            s.requireFree(target);
            boolean overlay = from.template() && from.format() == VolumeFormat.QCOW2;
            Entry to = new Entry(target, overlay ? VolumeFormat.QCOW2 : from.format(), false);
            s.make(to, temp -> {
                if (overlay) {
                    QemuImg.createOverlay(temp, s.url(from.file()), from.format());
                } else {
                    QemuImg.copy(s.url(from.file()), from.format(), temp, to.format());
                }
            });
            LOG.info("Cloned volume {}/{} from {} ({})", pool.name(), target, source, overlay ? "copy-on-write" : "full copy");
            return s.volume(to);
        });
    }

    @Override
    public Volume createTemplate(StoragePoolSpec pool, String volume, String template) {
        return session(pool, s -> {
            Entry from = s.find(volume);
            s.requireFree(template);
            Entry to = new Entry(template, from.format(), true);
            s.make(to, temp -> QemuImg.copy(s.url(from.file()), from.format(), temp, to.format()));
            s.client.chmod(s.dir(true), to.fileName(), 0444);
            LOG.info("Made template {}/{} from volume {}", pool.name(), template, volume);
            return s.volume(to);
        });
    }

    @Override
    public List<VolumeSnapshot> volumeSnapshots(StoragePoolSpec pool, String volume) {
        return session(pool, s -> {
            Entry entry = s.find(volume);
            return FileVolumes.snapshots(s.url(entry.file()), entry.format(), new VolumeRef(pool.name(), volume));
        });
    }

    @Override
    public VolumeSnapshot snapshotVolume(StoragePoolSpec pool, String volume, String snapshot) {
        return session(pool, s -> {
            Entry entry = writable(s.find(volume));
            return FileVolumes.snapshot(s.url(entry.file()), entry.format(), new VolumeRef(pool.name(), volume), snapshot);
        });
    }

    @Override
    public void deleteVolumeSnapshot(StoragePoolSpec pool, String volume, String snapshot) {
        session(pool, s -> {
            Entry entry = writable(s.find(volume));
            FileVolumes.deleteSnapshot(s.url(entry.file()), entry.format(), new VolumeRef(pool.name(), volume), snapshot);
            return null;
        });
    }

    /**
     * The image is streamed to a hidden file on the node and checked there (no backing or data file, sound
     * metadata), then copied to the export under a hidden name and only then named.
     */
    @Override
    public Volume importVolume(StoragePoolSpec pool, String name, VolumeFormat format, InputStream image,
            long maxBytes) {
        return session(pool, s -> {
            s.requireFree(name);
            Entry target = new Entry(name, format, false);
            withLocalCopy(image, maxBytes, local -> {
                long size = QemuImg.requireSafeImage(local.toString(), format).virtualSize();
                long capacity = s.client.fsstat().total();
                if (size > capacity) {
                    throw FileVolumes.insufficient(name, size, pool.name(), capacity);
                }
                s.make(target, temp -> QemuImg.copy(local.toString(), format, temp, format));
            });
            LOG.info("Imported volume {}/{} ({})", pool.name(), name, format.id());
            return s.volume(target);
        });
    }

    @Override
    public List<IsoImage> isos(StoragePoolSpec pool) {
        return session(pool, s -> {
            Optional<byte[]> isos = s.folder(ISOS);
            if (isos.isEmpty()) {
                return List.<IsoImage>of();
            }
            return s.client.list(isos.get()).stream().filter(FileVolumes::isName)
                    .map(n -> s.iso(isos.get(), n)).sorted(Comparator.comparing(IsoImage::name)).toList();
        });
    }

    @Override
    public IsoImage uploadIso(StoragePoolSpec pool, String name, InputStream data, long maxBytes) {
        Validation.name("ISO image", name);
        return session(pool, s -> {
            byte[] isos = s.client.mkdir(s.folder, ISOS);
            if (s.client.list(isos).contains(name)) {
                throw QuantixException.alreadyExists("ISO image", pool.name() + "/" + name);
            }
            withLocalCopy(data, maxBytes, local -> s.publish(isos, ISOS + "/", name,
                    temp -> QemuImg.copy(local.toString(), VolumeFormat.RAW, temp, VolumeFormat.RAW)));
            LOG.info("Uploaded ISO image {}/{}", pool.name(), name);
            return s.iso(isos, name);
        });
    }

    @Override
    public void deleteIso(StoragePoolSpec pool, String name) {
        Validation.name("ISO image", name);
        session(pool, s -> {
            byte[] isos = s.folder(ISOS).orElseThrow(() -> QuantixException.notFound("ISO image", pool.name() + "/" + name));
            if (!s.client.list(isos).contains(name)) {
                throw QuantixException.notFound("ISO image", pool.name() + "/" + name);
            }
            s.client.remove(isos, name);
            LOG.info("Deleted ISO image {}/{}", pool.name(), name);
            return null;
        });
    }

    /** An upload lands in a hidden file on the node first: qemu-img checks it there, and a broken one never reaches the export. */
    private static void withLocalCopy(InputStream data, long maxBytes, Consumer<Path> use) {
        Path spool = NodeDirectories.data().resolve("uploads");
        Path local = spool.resolve("." + UUID.randomUUID() + ".part");
        try {
            Files.createDirectories(spool);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot create " + spool + ": " + e.getMessage(), e);
        }
        try {
            Uploads.copy(data, local, maxBytes);
            use.accept(local);
        } finally {
            Uploads.deleteQuietly(local);
        }
    }

    private static Entry writable(Entry entry) {
        FileVolumes.requireWritable(entry.name(), entry.template());
        return entry;
    }

    private static <T> T session(StoragePoolSpec pool, Function<Session, T> work) {
        NfsPoolOptions options = NfsPoolOptions.of(pool);
        try (NfsClient client = NfsClient.open(options.server(), options.export())) {
            byte[] folder;
            try {
                folder = client.lookup(options.folder());
            } catch (QuantixException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
                throw QuantixException.invalid("nfs pool path " + Validation.quote(options.folderPath())
                        + " does not exist on export " + options.export() + " of " + options.server());
            }
            return work.apply(new Session(pool, options, client, folder));
        }
    }

    /** A volume's file: {@code <name>.<format>}, in the templates folder for a template. */
    record Entry(String name, VolumeFormat format, boolean template) {
        String fileName() {
            return name + "." + format.id();
        }

        /** The path below the pool's folder. */
        String file() {
            return (template ? TEMPLATES + "/" : "") + fileName();
        }

        static Optional<Entry> parse(String fileName, boolean template) {
            return FileVolumes.FileName.parse(fileName).map(n -> new Entry(n.name(), n.format(), template));
        }
    }

    /** One pool opened on its server: the NFS session and the handle of the pool's folder. */
    private record Session(StoragePoolSpec pool, NfsPoolOptions options, NfsClient client, byte[] folder) {

        String url(String file) {
            return "nfs://" + options.server() + options.folderPath() + "/" + file;
        }

        DiskSource source(String file) {
            return new DiskSource.Network(DiskSource.Protocol.NFS, options.folderPath() + "/" + file,
                    List.of(new DiskSource.Host(options.server(), 0)), Optional.empty());
        }

        Optional<byte[]> folder(String name) {
            try {
                return Optional.of(client.lookup(folder, name));
            } catch (QuantixException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        byte[] dir(boolean template) {
            return template ? client.mkdir(folder, TEMPLATES) : folder;
        }

        List<Entry> entries() {
            List<Entry> entries = new ArrayList<>();
            client.list(folder).forEach(n -> Entry.parse(n, false).ifPresent(entries::add));
            folder(TEMPLATES).ifPresent(t -> client.list(t).forEach(n -> Entry.parse(n, true).ifPresent(entries::add)));
            return entries;
        }

        List<Volume> volumes() {
            return entries().stream().sorted(Comparator.comparing(Entry::name)).map(this::volume).toList();
        }

        Volume volume(Entry entry) {
            QemuImg.Info info = QemuImg.info(url(entry.file()), entry.format());
            return new Volume(new VolumeRef(pool.name(), entry.name()), entry.format(), info.virtualSize(),
                    info.actualSize(), source(entry.file()), entry.template());
        }

        Entry find(String name) {
            Validation.name("volume", name);
            return entries().stream().filter(e -> e.name().equals(name)).findFirst()
                    .orElseThrow(() -> QuantixException.notFound("volume", pool.name() + "/" + name));
        }

        void requireFree(String name) {
            Validation.name("volume", name);
            if (entries().stream().anyMatch(e -> e.name().equals(name))) {
                throw QuantixException.alreadyExists("volume", new VolumeRef(pool.name(), name).toString());
            }
        }

        IsoImage iso(byte[] isos, String name) {
            return new IsoImage(pool.name(), name, client.size(isos, name), source(ISOS + "/" + name));
        }

        /** Writes a volume's file under a hidden name, then names it; never replaces, never leaves the hidden file. */
        void make(Entry target, Consumer<String> write) {
            publish(dir(target.template()), target.template() ? TEMPLATES + "/" : "", target.fileName(), write);
            // the other format's name is not seen by LINK: a race between two creates of one name ends here
            if (entries().stream().filter(e -> e.name().equals(target.name())).count() > 1) {
                client.remove(dir(target.template()), target.fileName());
                throw QuantixException.alreadyExists("volume", new VolumeRef(pool.name(), target.name()).toString());
            }
        }

        void publish(byte[] dir, String prefix, String fileName, Consumer<String> write) {
            String temp = "." + fileName + "." + UUID.randomUUID() + ".part";
            try {
                write.accept(url(prefix + temp));
                client.link(dir, temp, fileName);
            } finally {
                try {
                    client.remove(dir, temp);
                } catch (QuantixException e) {
                    if (e.code() != ErrorCode.NOT_FOUND) {
                        LOG.warn("Could not remove temporary file {}{} of pool {}: {}", prefix, temp, pool.name(),
                                e.getMessage());
                    }
                }
            }
        }
    }
}
