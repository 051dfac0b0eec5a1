package io.quantix.core.internal;

import io.quantix.api.Availability;
import io.quantix.api.Capability;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.IsoImage;
import io.quantix.api.PoolUsage;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.StorageService;
import io.quantix.api.spi.StorageBackend;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Storage pools (definitions in Config Admin) and their volumes (on the pool's backend). */
@Component(service = {StorageService.class, StorageManager.class})
public class StorageManager implements StorageService {
    private static final Logger LOG = LoggerFactory.getLogger(StorageManager.class);
    static final String FACTORY_PID = "io.quantix.storage.pool";
    private static final String BACKEND = "backend";

    private final BackendRegistry backends;
    private final Events events;
    private final DefinitionStore<StoragePoolSpec> store;
    private final VmInventory inventory;
    private final EdgePolicy policy;
    /**
     * The last measure of each available pool: a list of pools asks no backend. Refreshed in the background every
     * {@link #USAGE_REFRESH}; a change in a pool drops its figure, so the next read measures it again.
     */
    private final Map<String, StoragePool> usage = new ConcurrentHashMap<>();
    static final Duration USAGE_REFRESH = Duration.ofSeconds(30);
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "quantix-pool-usage");
        thread.setDaemon(true);
        return thread;
    });

    @Activate
    public StorageManager(@Reference BackendRegistry backends, @Reference Events events,
            @Reference ConfigurationAdmin configAdmin, @Reference VmInventory inventory, @Reference EdgePolicy policy) {
        this.inventory = inventory;
        this.policy = policy;
        this.backends = backends;
        this.events = events;
        this.store = new DefinitionStore<>(configAdmin, FACTORY_PID, StorageManager::decode, StorageManager::encode);
        long millis = USAGE_REFRESH.toMillis();
        refresher.scheduleWithFixedDelay(this::refreshUsage, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void close() {
        refresher.shutdownNow();
    }

    @Override
    public List<StoragePool> listPools() {
        return store.list().stream().map(this::cached).sorted(Comparator.comparing(StoragePool::name)).toList();
    }

    @Override
    public StoragePool getPool(String name) {
        return cached(spec(name));
    }

    /** The pool with its last measure, measured now if there is none; a pool whose backend is away is not cached. */
    private StoragePool cached(StoragePoolSpec spec) {
        StoragePool known = usage.get(spec.name());
        if (known != null && known.spec().equals(spec) && backends.storage.find(spec.backend()).isPresent()) {
            return known;
        }
        return measure(spec);
    }

    private StoragePool measure(StoragePoolSpec spec) {
        StoragePool now = withStatus(spec);
        if (now.status() == Availability.AVAILABLE) {
            usage.put(spec.name(), now);
        } else {
            usage.remove(spec.name());
        }
        return now;
    }

    /** A change in the pool: its next read measures it. */
    private void changed(String pool) {
        usage.remove(pool);
    }

    private void refreshUsage() {
        for (StoragePoolSpec spec : store.list()) {
            try {
                measure(spec);
            } catch (RuntimeException e) {
                LOG.warn("cannot measure pool {}: {}", spec.name(), e.getMessage());
            }
        }
        usage.keySet().retainAll(store.list().stream().map(StoragePoolSpec::name).toList());
    }

    @Override
    public synchronized StoragePool createPool(StoragePoolSpec spec) {
        if (store.find(spec.name(), StoragePoolSpec::name).isPresent()) {
            throw QuantixException.alreadyExists("pool", spec.name());
        }
        StorageBackend backend = backends.storage.require(spec.backend());
        // host paths in the options (a folder, a keyring, a secret file) before the backend looks at any of them
        backend.hostPathOptions().stream().sorted().forEach(option -> spec.option(option)
                .ifPresent(path -> policy.hostPath(spec.backend() + " pool option " + option, path)));
        PoolUsage measured = backend.probe(spec);
        store.save(spec.name(), spec);
        events.publish(QuantixEvent.Kind.POOL, "CREATED", spec.name(), "pool created on backend " + spec.backend());
        StoragePool pool = available(spec, measured);
        usage.put(spec.name(), pool);
        return pool;
    }

    @Override
    public synchronized void deletePool(String name) {
        StoragePoolSpec spec = spec(name);
        StorageBackend backend = backends.storage.require(spec.backend());
        inventory.list().stream().filter(vm -> vm.disks().stream().anyMatch(d -> d.volume().pool().equals(name)))
                .findFirst().ifPresent(vm -> {
                    throw new QuantixException(ErrorCode.CONFLICT, "pool '" + name + "' holds disks of VM '" + vm.name()
                            + "'");
                });
        if (!backend.volumesManagedOutside() && !backend.volumes(spec).isEmpty()) {
            throw new QuantixException(ErrorCode.CONFLICT, "pool '" + name + "' still holds volumes: delete them first");
        }
        store.delete(name);
        changed(name);
        events.publish(QuantixEvent.Kind.POOL, "DELETED", name, "pool definition deleted");
    }

    @Override
    public List<Volume> listVolumes(String pool) {
        StoragePoolSpec spec = spec(pool);
        return backends.storage.require(spec.backend()).volumes(spec).stream()
                .sorted(Comparator.comparing(Volume::name)).toList();
    }

    @Override
    public Volume createVolume(String pool, VolumeSpec volume) {
        StoragePoolSpec spec = spec(pool);
        Volume created = backends.storage.require(spec.backend()).createVolume(spec, volume);
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "CREATED", created.ref().toString(), volume.sizeBytes() + " bytes");
        return created;
    }

    @Override
    public void deleteVolume(String pool, String volume) {
        VolumeRef ref = new VolumeRef(pool, volume);
        inventory.diskOf(ref).ifPresent(vm -> {
            throw new QuantixException(ErrorCode.CONFLICT, "volume " + ref + " is a disk of VM '" + vm.name() + "'");
        });
        deleteUnused(ref);
    }

    /** Deletes without the in-use check: for the VM manager removing a VM's own disks. */
    void deleteUnused(VolumeRef ref) {
        StoragePoolSpec spec = spec(ref.pool());
        backends.storage.require(spec.backend()).deleteVolume(spec, ref.volume());
        changed(ref.pool());
        events.publish(QuantixEvent.Kind.VOLUME, "DELETED", ref.toString(), "volume deleted");
    }

    @Override
    public Volume resizeVolume(String pool, String volume, long newSizeBytes) {
        Validation.range("volume size (bytes)", newSizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        StoragePoolSpec spec = spec(pool);
        StorageBackend backend = backend(spec, Capability.VOLUME_RESIZE);
        VolumeRef ref = new VolumeRef(pool, volume);
        Optional<Vm> user = inventory.diskOf(ref);
        Volume resized;
        if (user.isPresent() && user.get().state() != PowerState.STOPPED && user.get().state() != PowerState.CRASHED) {
            resized = resizeAttached(spec, backend, user.get(), ref, newSizeBytes);
        } else {
            resized = backend.resizeVolume(spec, volume, newSizeBytes);
        }
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "RESIZED", resized.ref().toString(), newSizeBytes + " bytes");
        return resized;
    }

    /**
     * A running VM's QEMU holds its disk open (and locked): the hypervisor grows it, so that the guest sees the new
     * size at once. The storage backend's own rules are checked first, by looking, so a refusal changes nothing.
     */
    private Volume resizeAttached(StoragePoolSpec spec, StorageBackend backend, Vm vm, VolumeRef ref, long newSizeBytes) {
        if (vm.state() == PowerState.UNAVAILABLE) {
            throw new QuantixException(ErrorCode.CONFLICT, "volume " + ref + " is a disk of VM '" + vm.name()
                    + "', whose hypervisor is not available: it cannot be resized now");
        }
        Volume current = volume(ref);
        if (newSizeBytes < current.capacity()) {
            throw QuantixException.invalid("volume " + ref + " is " + current.capacity() + " bytes; shrinking it to "
                    + newSizeBytes + " bytes would lose data");
        }
        PoolUsage measured = backend.probe(spec);
        if (newSizeBytes > measured.capacity()) {
            throw new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, "volume " + ref + " of " + newSizeBytes
                    + " bytes does not fit pool '" + spec.name() + "' of " + measured.capacity() + " bytes");
        }
        if (newSizeBytes > current.capacity()) {
            backends.hypervisors.require(vm.spec().hypervisor()).resizeDisk(vm.name(), ref, newSizeBytes);
        }
        return volume(ref);
    }

    /** One volume, as its pool's backend reports it now. */
    Volume volume(VolumeRef ref) {
        return listVolumes(ref.pool()).stream().filter(v -> v.name().equals(ref.volume())).findFirst()
                .orElseThrow(() -> QuantixException.notFound("volume", ref.toString()));
    }

    @Override
    public Volume cloneVolume(String pool, String source, String target) {
        Validation.name("volume", target);
        StoragePoolSpec spec = spec(pool);
        Volume clone = backend(spec, Capability.VOLUME_CLONE).cloneVolume(spec, source, target);
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "CREATED", clone.ref().toString(), "cloned from " + source);
        return clone;
    }

    @Override
    public Volume createTemplate(String pool, String volume, String template) {
        Validation.name("template", template);
        StoragePoolSpec spec = spec(pool);
        Volume created = backend(spec, Capability.TEMPLATES).createTemplate(spec, volume, template);
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "CREATED", created.ref().toString(), "template made from " + volume);
        return created;
    }

    @Override
    public List<VolumeSnapshot> volumeSnapshots(String pool, String volume) {
        StoragePoolSpec spec = spec(pool);
        return backend(spec, Capability.VOLUME_SNAPSHOT).volumeSnapshots(spec, volume);
    }

    @Override
    public VolumeSnapshot snapshotVolume(String pool, String volume, String snapshot) {
        Validation.name("volume snapshot", snapshot);
        StoragePoolSpec spec = spec(pool);
        VolumeSnapshot taken = backend(spec, Capability.VOLUME_SNAPSHOT).snapshotVolume(spec, volume, snapshot);
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "SNAPSHOT_CREATED", taken.volume().toString(), "snapshot " + snapshot);
        return taken;
    }

    @Override
    public void deleteVolumeSnapshot(String pool, String volume, String snapshot) {
        StoragePoolSpec spec = spec(pool);
        backend(spec, Capability.VOLUME_SNAPSHOT).deleteVolumeSnapshot(spec, volume, snapshot);
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "SNAPSHOT_DELETED", new VolumeRef(pool, volume).toString(),
                "snapshot " + snapshot);
    }

    @Override
    public Volume importVolume(String pool, String name, VolumeFormat format, InputStream image, long maxBytes) {
        Validation.name("volume", name);
        Validation.required("volume format", format);
        Validation.required("image", image);
        StoragePoolSpec spec = spec(pool);
        Volume imported = backend(spec, Capability.IMAGE_IMPORT).importVolume(spec, name, format, image,
                policy.uploadLimit(maxBytes));
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "CREATED", imported.ref().toString(), "imported from an image");
        return imported;
    }

    @Override
    public List<IsoImage> listIsos(String pool) {
        StoragePoolSpec spec = spec(pool);
        return backend(spec, Capability.ISO_LIBRARY).isos(spec).stream()
                .sorted(Comparator.comparing(IsoImage::name)).toList();
    }

    @Override
    public IsoImage uploadIso(String pool, String name, InputStream data, long maxBytes) {
        Validation.name("ISO image", name);
        Validation.required("ISO data", data);
        StoragePoolSpec spec = spec(pool);
        IsoImage iso = backend(spec, Capability.ISO_LIBRARY).uploadIso(spec, name, data,
                policy.uploadLimit(maxBytes));
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "ISO_UPLOADED", pool + "/" + name, iso.sizeBytes() + " bytes");
        return iso;
    }

    @Override
    public void deleteIso(String pool, String name) {
        StoragePoolSpec spec = spec(pool);
        backend(spec, Capability.ISO_LIBRARY).deleteIso(spec, name);
        changed(pool);
        events.publish(QuantixEvent.Kind.VOLUME, "ISO_DELETED", pool + "/" + name, "ISO image deleted");
    }

    /**
     * The one place that decides a new disk's format when its spec names none: qcow2 where the pool's backend offers
     * it (snapshots and copy-on-write in the file), else raw (RBD images and LUNs are raw).
     */
    DiskSpec withFormat(DiskSpec disk) {
        if (disk.format().isPresent()) {
            return disk;
        }
        boolean qcow2 = backends.storage.require(spec(disk.pool()).backend()).capabilities().contains(Capability.QCOW2);
        return disk.withFormat(qcow2 ? VolumeFormat.QCOW2 : VolumeFormat.RAW);
    }

    private StorageBackend backend(StoragePoolSpec spec, Capability needed) {
        return backends.storage.require(spec.backend(), needed);
    }

    /** Every pool definition, without asking any backend about it. */
    List<StoragePoolSpec> specs() {
        return store.list();
    }

    StoragePoolSpec spec(String name) {
        Validation.name("pool", name);
        return store.find(name, StoragePoolSpec::name).orElseThrow(() -> QuantixException.notFound("pool", name));
    }

    private StoragePool withStatus(StoragePoolSpec spec) {
        Optional<StorageBackend> backend = backends.storage.find(spec.backend());
        if (backend.isEmpty()) {
            return new StoragePool(spec, Availability.UNAVAILABLE, 0, 0, 0,
                    Optional.of("storage backend '" + spec.backend() + "' is not installed"));
        }
        try {
            return available(spec, backend.get().probe(spec));
        } catch (QuantixException e) {
            return new StoragePool(spec, Availability.ERROR, 0, 0, 0, Optional.of(e.getMessage()));
        }
    }

    private static StoragePool available(StoragePoolSpec spec, PoolUsage usage) {
        return new StoragePool(spec, Availability.AVAILABLE, usage.capacity(), usage.allocation(), usage.available(),
                Optional.empty(), Optional.of(Instant.now()));
    }

    private static StoragePoolSpec decode(Map<String, String> props) {
        Map<String, String> options = new HashMap<>(props);
        String name = options.remove(DefinitionStore.NAME);
        String backend = options.remove(BACKEND);
        return new StoragePoolSpec(name, backend, options);
    }

    private static Map<String, String> encode(StoragePoolSpec spec) {
        Map<String, String> props = new HashMap<>(spec.options());
        props.put(BACKEND, spec.backend());
        return props;
    }
}
