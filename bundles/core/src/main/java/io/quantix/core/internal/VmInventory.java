package io.quantix.core.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.InventoryStats;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every VM of the node, in memory: every read (lists, filters, pages, {@link #find}, {@link #diskOf},
 * {@link #macInUse}) is served from here without asking a hypervisor.
 * <p>
 * A hypervisor's VMs are listed once when it binds; from then on its lifecycle events and the core's own changes
 * ({@link #reload}, {@link #forget}) keep them current, and a periodic resync lists every hypervisor again and repairs
 * what the events missed, counting it. The VMs of a hypervisor that goes away stay, as
 * {@link PowerState#UNAVAILABLE}, until it comes back. Each change gives the VM a new {@link Vm#version()}.
 * <p>
 * Concurrency: reads take no lock (concurrent maps, and an immutable list rebuilt after a change). Writes of one VM
 * are serialised by a lock striped by name, and each records when it was made, so that a resync, whose list may be
 * older than a write made while it ran, leaves such a VM alone. Lifecycle events only mark the VM stale on the
 * hypervisor's own thread (which must never call back into the hypervisor), before the event is published, and are
 * read on the inventory's thread; {@link #find} and {@link #list} read stale VMs first, so whoever heard an event and
 * then asks gets the new state.
 */
@Component(service = VmInventory.class, configurationPid = VmInventory.PID)
@Designate(ocd = VmInventory.Config.class)
public class VmInventory {
    static final String PID = "io.quantix.inventory";
    private static final Logger LOG = LoggerFactory.getLogger(VmInventory.class);
    private static final int STRIPES = 64;

    @ObjectClassDefinition(id = PID, name = "Quantix VM inventory")
    @interface Config {
        @AttributeDefinition(description = "Seconds between two full lists of every hypervisor, which repair what its"
                + " events missed", min = "1")
        int resyncSeconds() default 60;
    }

    /** A VM of one hypervisor; sorted by VM name, which is the order of every list. */
    private record Key(String name, String backend) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int byName = name.compareTo(o.name);
            return byName != 0 ? byName : backend.compareTo(o.backend);
        }
    }

    /**
     * @param vm empty once the VM is gone: kept until the next resync, so that its older list cannot bring it back
     * @param touched the write sequence number of the last write, see {@link #resync}
     */
    private record Entry(Optional<Vm> vm, long touched) {
    }

    /** The list every reader shares, built after the {@code mutation}-th change. */
    private record Listing(long mutation, List<Vm> vms) {
    }

    private final BackendRegistry backends;
    private final Revisions revisions;
    private final ConcurrentSkipListMap<Key, Entry> entries = new ConcurrentSkipListMap<>();
    private final Map<VolumeRef, Set<Key>> byVolume = new ConcurrentHashMap<>();
    private final Map<String, Set<Key>> byMac = new ConcurrentHashMap<>();
    /** VMs an event was heard about and not read since, with the event's number: see {@link #catchUp}. */
    private final Map<Key, Long> stale = new ConcurrentHashMap<>();
    private final AtomicLong heard = new AtomicLong();
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final Object[] stripes = new Object[STRIPES];
    private final AtomicLong touches = new AtomicLong();
    private final AtomicLong mutations = new AtomicLong();
    private volatile Listing listing = new Listing(0, List.of());
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong repairs = new AtomicLong();
    private volatile Optional<Instant> lastResync = Optional.empty();
    /** Reads VMs after their events and runs the resyncs, one at a time. */
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "quantix-inventory");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> resyncing;
    private final BackendRegistry.HypervisorWatcher watcher = new BackendRegistry.HypervisorWatcher() {
        @Override
        public void bound(String name, HypervisorBackend backend) {
            VmInventory.this.bound(name, backend);
        }

        @Override
        public void unbound(String name, HypervisorBackend backend) {
            VmInventory.this.unbound(name, backend);
        }

        @Override
        public void heard(String name, QuantixEvent event) {
            VmInventory.this.heard(name, event);
        }
    };

    @Activate
    public VmInventory(@Reference BackendRegistry backends, Config config) {
        this(backends, new Revisions(NodeDirectories.data().resolve("inventory").resolve("revision.properties")),
                Duration.ofSeconds(config.resyncSeconds()));
    }

    VmInventory(BackendRegistry backends, Revisions revisions, Duration resyncPeriod) {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        this.backends = backends;
        this.revisions = revisions;
        schedule(resyncPeriod);
        backends.watch(watcher);
    }

    @Modified
    void modified(Config config) {
        schedule(Duration.ofSeconds(config.resyncSeconds()));
    }

    @Deactivate
    void close() {
        backends.unwatch(watcher);
        worker.shutdownNow();
    }

    private synchronized void schedule(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw QuantixException.invalid("the inventory resync period must be positive, not " + period);
        }
        if (resyncing != null) {
            resyncing.cancel(false);
        }
        long millis = period.toMillis();
        resyncing = worker.scheduleWithFixedDelay(this::resyncAll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Every VM, sorted by name. VMs with an event not yet read are read first, as in {@link #find}: a client that
     * heard an event and then lists must see its change (the inventory hears a hypervisor's event before it is
     * published, see {@link BackendRegistry.HypervisorWatcher}).
     */
    List<Vm> list() {
        for (Key key : stale.keySet()) {
            backends.hypervisors.find(key.backend()).ifPresent(hv -> {
                try {
                    catchUp(key, hv);
                } catch (QuantixException e) {
                    LOG.warn("cannot read VM {} on hypervisor {} after its event: {}", key.name(), key.backend(),
                            e.getMessage());
                }
            });
        }
        Listing current = listing;
        long now = mutations.get();
        if (current.mutation() == now) {
            return current.vms();
        }
        // weakly consistent: a change made meanwhile is in it or in the next rebuild
        List<Vm> vms = entries.values().stream().flatMap(e -> e.vm().stream()).toList();
        listing = new Listing(now, vms);
        return vms;
    }

    /**
     * One VM by name. A VM with an event not yet read, or of a hypervisor that reports no events, is read from its
     * hypervisor first, so that a caller who just heard of a change sees it.
     */
    Optional<Vm> find(String name) {
        for (String backend : live) {
            Key key = new Key(name, backend);
            backends.hypervisors.find(backend).ifPresent(hv -> {
                if (hv.capabilities().contains(Capability.LIFECYCLE_EVENTS)) {
                    catchUp(key, hv);
                } else {
                    read(key, hv);
                }
            });
        }
        return entries.subMap(new Key(name, ""), true, new Key(name + "\0", ""), false).values().stream()
                .flatMap(e -> e.vm().stream()).findFirst();
    }

    /** The VM that has the volume as one of its disks, if any. */
    Optional<Vm> diskOf(VolumeRef volume) {
        return users(byVolume.get(volume)).filter(vm -> vm.disks().stream().anyMatch(d -> d.volume().equals(volume)))
                .findFirst();
    }

    /** Whether a NIC of a VM on the node has this MAC address. */
    boolean macInUse(String mac) {
        return users(byMac.get(mac)).anyMatch(vm -> vm.nics().stream().anyMatch(n -> n.mac().equals(mac)));
    }

    private java.util.stream.Stream<Vm> users(Set<Key> keys) {
        return keys == null ? java.util.stream.Stream.empty()
                : keys.stream().map(entries::get).filter(java.util.Objects::nonNull).flatMap(e -> e.vm().stream());
    }

    /**
     * Reads the VM from its hypervisor after the core changed it, and returns it as the inventory now holds it.
     * NOT_FOUND if the hypervisor no longer has it; a hypervisor that is away answers with what was last seen.
     */
    Vm reload(String backend, String name) {
        Key key = new Key(name, backend);
        Optional<HypervisorBackend> hv = backends.hypervisors.find(backend);
        Optional<Vm> vm = hv.isPresent() ? read(key, hv.get()) : Optional.ofNullable(entries.get(key)).flatMap(Entry::vm);
        return vm.orElseThrow(() -> QuantixException.notFound("VM", name));
    }

    /** The core deleted the VM or moved it away. */
    void forget(Vm vm) {
        Key key = new Key(vm.name(), vm.spec().hypervisor());
        synchronized (stripe(key)) {
            store(key, Optional.empty(), touches.incrementAndGet());
        }
    }

    InventoryStats stats() {
        return new InventoryStats(list().size(), revisions.current(), resyncs.get(), repairs.get(), lastResync);
    }

    /**
     * Reads the VM if an event about it is not read yet. Its mark goes only once a read that began after the event has
     * ended, and only if no later event came meanwhile, so a reader either reads or waits on the stripe for the read
     * under way: never returns before the event's change is held.
     */
    private void catchUp(Key key, HypervisorBackend hv) {
        if (!stale.containsKey(key)) {
            return;
        }
        synchronized (stripe(key)) {
            Long event = stale.get(key);
            if (event != null) {
                try {
                    read(key, hv);
                } finally {
                    stale.remove(key, event);
                }
            }
        }
    }

    private Optional<Vm> read(Key key, HypervisorBackend hv) {
        synchronized (stripe(key)) {
            long touched = touches.incrementAndGet();
            return store(key, hv.find(key.name()), touched);
        }
    }

    /** Under the VM's stripe lock. Returns the VM as now held. */
    private Optional<Vm> store(Key key, Optional<Vm> now, long touched) {
        Entry old = entries.get(key);
        Optional<Vm> before = old == null ? Optional.empty() : old.vm();
        if (now.isPresent() && before.isPresent() && before.get().sameAs(now.get())) {
            entries.put(key, new Entry(before, touched));
            return before;
        }
        Optional<Vm> stamped = now.map(vm -> vm.withVersion(revisions.next()));
        entries.put(key, new Entry(stamped, touched));
        before.ifPresent(vm -> index(key, vm, false));
        stamped.ifPresent(vm -> index(key, vm, true));
        if (before.isPresent() || stamped.isPresent()) {
            mutations.incrementAndGet();
        }
        return stamped;
    }

    private void index(Key key, Vm vm, boolean add) {
        for (AttachedDisk disk : vm.disks()) {
            index(byVolume, disk.volume(), key, add);
        }
        for (AttachedNic nic : vm.nics()) {
            index(byMac, nic.mac(), key, add);
        }
    }

    private static <K> void index(Map<K, Set<Key>> index, K value, Key key, boolean add) {
        index.compute(value, (v, keys) -> {
            Set<Key> users = keys == null ? ConcurrentHashMap.newKeySet() : keys;
            if (add) {
                users.add(key);
            } else {
                users.remove(key);
            }
            return users.isEmpty() ? null : users;
        });
    }

    private Object stripe(Key key) {
        return stripes[Math.floorMod(key.name().hashCode(), STRIPES)];
    }

    private void bound(String name, HypervisorBackend backend) {
        live.add(name);
        resync(name, backend, false);
    }

    private void unbound(String name, HypervisorBackend backend) {
        live.remove(name);
        for (Map.Entry<Key, Entry> e : entries.entrySet()) {
            Key key = e.getKey();
            if (key.backend().equals(name)) {
                synchronized (stripe(key)) {
                    Optional.ofNullable(entries.get(key)).flatMap(Entry::vm).ifPresent(vm -> store(key,
                            Optional.of(vm.withState(PowerState.UNAVAILABLE)), touches.incrementAndGet()));
                }
            }
        }
    }

    /** On the hypervisor's event thread: never calls the hypervisor. */
    private void heard(String backend, QuantixEvent event) {
        if (event.kind() != QuantixEvent.Kind.VM) {
            return;
        }
        Key key = new Key(event.subject(), backend);
        stale.put(key, heard.incrementAndGet());
        try {
            worker.execute(() -> {
                Optional<HypervisorBackend> hv = backends.hypervisors.find(backend);
                if (hv.isPresent()) {
                    try {
                        catchUp(key, hv.get());
                    } catch (QuantixException e) {
                        LOG.warn("cannot read VM {} on hypervisor {} after its {} event: {}", key.name(), backend,
                                event.type(), e.getMessage());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("VM event {} of {} not read: the inventory is stopping", event.type(), key.name());
        }
    }

    /** Runs on the worker thread. */
    private void resyncAll() {
        for (String name : live) {
            backends.hypervisors.find(name).ifPresent(hv -> resync(name, hv, true));
        }
        resyncs.incrementAndGet();
        lastResync = Optional.of(Instant.now());
    }

    /**
     * Lists the hypervisor and makes its VMs here what the list says. A VM written since the list began is left
     * alone: that write read the hypervisor too, perhaps later than the list did. With {@code repair}, each VM
     * that had to change is counted as a repair (the first list after a bind is no repair).
     */
    private void resync(String backend, HypervisorBackend hv, boolean repair) {
        long began = touches.get();
        List<Vm> listed;
        try {
            listed = hv.list();
        } catch (QuantixException e) {
            LOG.warn("cannot list the VMs of hypervisor {}: {}", backend, e.getMessage());
            return;
        }
        Map<String, Vm> seen = new HashMap<>();
        listed.forEach(vm -> seen.putIfAbsent(vm.name(), vm));
        long changed = 0;
        for (Vm vm : seen.values()) {
            Key key = new Key(vm.name(), backend);
            synchronized (stripe(key)) {
                Entry e = entries.get(key);
                if ((e == null || e.touched() <= began)
                        && (e == null || e.vm().isEmpty() || !e.vm().get().sameAs(vm))) {
                    store(key, Optional.of(vm), touches.incrementAndGet());
                    changed++;
                }
            }
        }
        for (Key key : entries.keySet()) {
            if (!key.backend().equals(backend) || seen.containsKey(key.name())) {
                continue;
            }
            synchronized (stripe(key)) {
                Entry e = entries.get(key);
                if (e != null && e.touched() <= began) {
                    if (e.vm().isPresent()) {
                        store(key, Optional.empty(), touches.incrementAndGet());
                        changed++;
                    } else {
                        entries.remove(key);
                    }
                }
            }
        }
        if (repair && changed > 0) {
            repairs.addAndGet(changed);
            LOG.info("inventory resync of hypervisor {} repaired {} VM(s) that its events had not reported", backend,
                    changed);
        }
    }
}
