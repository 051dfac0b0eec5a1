package io.quantix.core.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.CloudInit;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import io.quantix.api.NicBinding;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.api.agent.ShutdownMode;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.DefineOptions;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orchestrates VMs over the bound backends: creation all or nothing, power, deletion with clean-up.
 * <p>
 * Every VM event has one source. The core publishes what is about a request: CREATED, DELETED,
 * SHUTDOWN_REQUESTED, REBOOTED. The state changes (STARTED, STOPPED, PAUSED, RESUMED, and CRASHED, SHUTDOWN,
 * MIGRATED) come from the hypervisor when it reports them ({@link Capability#LIFECYCLE_EVENTS}, republished by
 * {@link BackendRegistry}), since it also sees the ones nobody asked Quantix for, such as a guest powering itself
 * off; for a backend that cannot, the core publishes the state changes its own power actions cause.
 */
@Component(service = VmService.class)
public class VmManager implements VmService {
    private static final Logger LOG = LoggerFactory.getLogger(VmManager.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The events a hypervisor with {@link Capability#LIFECYCLE_EVENTS} publishes instead of the core. */
    private static final Set<String> STATE_CHANGES = Set.of("STARTED", "STOPPED", "PAUSED", "RESUMED");


    private final BackendRegistry backends;
    private final StorageManager storage;
    private final NetworkManager networks;
    private final Events events;
    private final VmInventory inventory;
    private final EdgePolicy policy;
    private final CloudInitSeeds seeds = new CloudInitSeeds(NodeDirectories.data());
    private final QuiescedSnapshots quiesced;
    private final GuestAgentService agents;
    private final VmChanges changes;
    /** VMs with a migration running: one at a time each. */
    private final Set<String> migrating = ConcurrentHashMap.newKeySet();

    private final IntentJournal journal;

    @Activate
    public VmManager(@Reference BackendRegistry backends, @Reference StorageManager storage,
            @Reference NetworkManager networks, @Reference Events events, @Reference VmInventory inventory,
            @Reference EdgePolicy policy, @Reference IntentJournal journal, @Reference GuestAgentService agents,
            @Reference QuiescedSnapshots quiesced) {
        this.journal = journal;
        this.backends = backends;
        this.storage = storage;
        this.networks = networks;
        this.events = events;
        this.inventory = inventory;
        this.policy = policy;
        this.quiesced = quiesced;
        this.agents = agents;
        this.changes = new VmChanges(backends, storage, networks, events, inventory, policy, agents, quiesced);
    }

    @Override
    public List<Vm> list() {
        return inventory.list();
    }

    @Override
    public List<Vm> list(Optional<PowerState> state, Optional<String> tag) {
        Validation.required("state filter", state);
        Validation.required("tag filter", tag).ifPresent(Validation::tag);
        // the inventory answers by name already
        return inventory.list().stream()
                .filter(vm -> state.map(s -> vm.state() == s).orElse(true))
                .filter(vm -> tag.map(t -> vm.spec().tags().contains(t)).orElse(true))
                .toList();
    }

    @Override
    public Vm get(String name) {
        Validation.name("VM", name);
        return inventory.find(name).orElseThrow(() -> QuantixException.notFound("VM", name));
    }

    @Override
    public synchronized Vm create(VmSpec asked, Optional<CloudInit> cloudInit, boolean start) {
        Validation.required("cloud-init", cloudInit);
        HypervisorBackend hv = backends.hypervisors.require(asked.hypervisor());
        checkCreatable(asked, hv);
        // the VM is recorded with the format each of its disks got
        VmSpec spec = asked.withDisks(asked.disks().stream().map(storage::withFormat).toList());
        if (cloudInit.isPresent()) {
            backends.hypervisors.require(spec.hypervisor(), Capability.CLOUD_INIT);
        }
        String id = UUID.randomUUID().toString();
        // on disk before the first side effect: a node killed part way rolls the rest back when it starts again
        CreateIntent intent = plan(id, spec, cloudInit.isPresent());
        journal.begin(intent);
        UndoLog undo = new UndoLog();
        try {
            List<AttachedDisk> disks = createDisks(spec, intent, undo);
            List<AttachedNic> nics = createPorts(spec, intent, undo);
            DefineOptions options = DefineOptions.NONE;
            if (cloudInit.isPresent()) {
                String seed = seeds.create(id, cloudInit.get()).toString();
                undo.done("cloud-init seed of VM " + spec.name(), () -> seeds.delete(id));
                options = new DefineOptions(Optional.of(seed));
            }
            Vm vm = hv.define(id, spec, disks, nics, options);
            undo.done("definition of VM " + spec.name(), () -> hv.undefine(spec.name()));
            if (start) {
                hv.power(spec.name(), PowerAction.START);
            }
            vm = inventory.reload(spec.hypervisor(), spec.name());
            events.publish(QuantixEvent.Kind.VM, "CREATED", spec.name(), "VM created on " + spec.hypervisor());
            if (start && !reportsStateChanges(hv)) {
                events.publish(QuantixEvent.Kind.VM, "STARTED", spec.name(), "VM started");
            }
            journal.finish(intent);
            return vm;
        } catch (RuntimeException e) {
            LOG.warn("creating VM {} failed, rolling back: {}", spec.name(), e.getMessage());
            if (undo.undoAll(e::addSuppressed)) {
                journal.finish(intent);
            } else {
                // what could not be undone now is tried again when the node next starts
                LOG.error("the rollback of VM {} is incomplete; it is retried at the next start", spec.name());
            }
            throw e;
        }
    }

    /** Names everything the create will make: its volumes, its ports and MAC addresses. */
    private CreateIntent plan(String id, VmSpec spec, boolean seed) {
        List<VolumeRef> volumes = new ArrayList<>();
        for (int i = 0; i < spec.disks().size(); i++) {
            volumes.add(new VolumeRef(spec.disks().get(i).pool(), diskVolumeName(spec.name(), i)));
        }
        List<CreateIntent.Port> ports = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (NicSpec n : spec.nics()) {
            String mac = n.mac().orElseGet(() -> randomMac(m -> taken.contains(m) || inventory.macInUse(m)));
            taken.add(mac);
            ports.add(new CreateIntent.Port(n.network(), UUID.randomUUID().toString(), mac));
        }
        return new CreateIntent(id, spec.name(), spec.hypervisor(), volumes, ports, seed);
    }

    /** Everything that can be checked before a single resource is created. */
    private void checkCreatable(VmSpec spec, HypervisorBackend hv) {
        if (inventory.find(spec.name()).isPresent()) {
            throw QuantixException.alreadyExists("VM", spec.name());
        }
        spec.directBoot().ifPresent(boot -> {
            policy.hostPath("kernel path", boot.kernel());
            policy.hostPath("initrd path", boot.initrd());
        });
        if (spec.firmware().uefi()) {
            backends.hypervisors.require(spec.hypervisor(), Capability.UEFI);
        }
        if (spec.firmware() == Firmware.UEFI_SECURE_BOOT) {
            backends.hypervisors.require(spec.hypervisor(), Capability.SECURE_BOOT);
        }
        hv.checkDefinable(spec);
        for (DiskSpec disk : spec.disks()) {
            backends.storage.require(storage.spec(disk.pool()).backend());
        }
        for (NicSpec nic : spec.nics()) {
            backends.networks.require(networks.spec(nic.network()).driver());
        }
        Set<String> macs = new HashSet<>();
        for (NicSpec nic : spec.nics()) {
            nic.mac().ifPresent(mac -> {
                if (!macs.add(mac) || inventory.macInUse(mac)) {
                    throw new QuantixException(ErrorCode.CONFLICT, "MAC address " + mac + " is already in use");
                }
            });
        }
    }

    private List<AttachedDisk> createDisks(VmSpec spec, CreateIntent intent, UndoLog undo) {
        List<AttachedDisk> disks = new ArrayList<>();
        for (int i = 0; i < spec.disks().size(); i++) {
            DiskSpec d = spec.disks().get(i);
            VolumeFormat format = d.format().orElseThrow();
            Volume v = storage.createVolume(d.pool(), new VolumeSpec(intent.volumes().get(i).volume(), d.sizeBytes(), format));
            undo.done("volume " + v.ref(), () -> storage.deleteUnused(v.ref()));
            disks.add(new AttachedDisk(v.ref(), v.source(), format, d.bus()));
        }
        return disks;
    }

    private List<AttachedNic> createPorts(VmSpec spec, CreateIntent intent, UndoLog undo) {
        List<AttachedNic> nics = new ArrayList<>();
        for (int i = 0; i < spec.nics().size(); i++) {
            NicSpec n = spec.nics().get(i);
            String portId = intent.ports().get(i).id();
            String mac = intent.ports().get(i).mac();
            NicBinding binding = networks.createPort(n.network(), new PortSpec(portId, mac, spec.name(), spec.tags()));
            undo.done("port " + portId + " on " + n.network(), () -> networks.deletePort(n.network(), portId));
            nics.add(new AttachedNic(n.network(), portId, mac, n.model(), binding));
        }
        return nics;
    }

    /** Volumes made for a VM are named after it, so a user can tell whose they are. */
    static String diskVolumeName(String vm, int index) {
        String suffix = "-disk" + index;
        return vm.substring(0, Math.min(vm.length(), 63 - suffix.length())) + suffix;
    }

    @Override
    public Vm power(String name, PowerAction action) {
        Vm vm = get(name);
        HypervisorBackend hv = backends.hypervisors.require(vm.spec().hypervisor());
        Optional.ofNullable(requiredCapability(action))
                .ifPresent(c -> backends.hypervisors.require(vm.spec().hypervisor(), c));
        if (!byGuestAgent(vm, action)) {
            hv.power(name, action);
        }
        Vm now = inventory.reload(vm.spec().hypervisor(), name);
        String type = eventType(action);
        if (STATE_CHANGES.contains(type) && reportsStateChanges(hv)) {
            return now;
        }
        events.publish(QuantixEvent.Kind.VM, type, name, "VM " + action.name().toLowerCase(java.util.Locale.ROOT)
                + " requested; now " + now.state());
        return now;
    }

    /**
     * A running guest's agent shuts it down or reboots it cleanly even where the guest ignores ACPI (no acpid, a
     * locked screen); when no agent answers, the hypervisor's ACPI request is sent instead.
     */
    private boolean byGuestAgent(Vm vm, PowerAction action) {
        if (vm.state() != PowerState.RUNNING || (action != PowerAction.SHUTDOWN && action != PowerAction.REBOOT)) {
            return false;
        }
        try {
            agents.shutdown(vm.name(), action == PowerAction.REBOOT ? ShutdownMode.REBOOT : ShutdownMode.POWERDOWN);
            return true;
        } catch (QuantixException e) {
            LOG.debug("VM {}: no guest agent for {} ({}): ACPI", vm.name(), action, e.getMessage());
            return false;
        }
    }

    private static boolean reportsStateChanges(HypervisorBackend hv) {
        return hv.capabilities().contains(Capability.LIFECYCLE_EVENTS);
    }

    private static Capability requiredCapability(PowerAction action) {
        return switch (action) {
            case START, FORCE_STOP -> null;
            case SHUTDOWN -> Capability.GRACEFUL_SHUTDOWN;
            case REBOOT -> Capability.REBOOT;
            case PAUSE, RESUME -> Capability.PAUSE;
        };
    }

    private static String eventType(PowerAction action) {
        return switch (action) {
            case START -> "STARTED";
            case SHUTDOWN -> "SHUTDOWN_REQUESTED";
            case FORCE_STOP -> "STOPPED";
            case REBOOT -> "REBOOTED";
            case PAUSE -> "PAUSED";
            case RESUME -> "RESUMED";
        };
    }

    @Override
    public synchronized void delete(String name, boolean deleteVolumes) {
        Vm vm = get(name);
        HypervisorBackend hv = backends.hypervisors.require(vm.spec().hypervisor());
        if (vm.state() != PowerState.STOPPED && vm.state() != PowerState.CRASHED) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is " + vm.state() + ": stop it first");
        }
        // every backend the clean-up needs must be here before the definition goes, or parts would leak
        vm.nics().forEach(n -> backends.networks.require(networks.spec(n.network()).driver()));
        if (deleteVolumes) {
            vm.disks().forEach(d -> backends.storage.require(storage.spec(d.volume().pool()).backend()));
        }
        hv.undefine(name);
        inventory.forget(vm);
        cleanUp("cloud-init seed", () -> seeds.delete(vm.id()));
        quiesced.vmDeleted(vm.id());
        vm.nics().forEach(n -> cleanUp("port " + n.portId(), () -> networks.deletePort(n.network(), n.portId())));
        if (deleteVolumes) {
            vm.disks().forEach(d -> cleanUp("volume " + d.volume(), () -> storage.deleteUnused(d.volume())));
        }
        events.publish(QuantixEvent.Kind.VM, "DELETED", name, deleteVolumes ? "VM and its volumes deleted" : "VM deleted");
    }

    private static void cleanUp(String what, Runnable action) {
        try {
            action.run();
        } catch (QuantixException e) {
            LOG.error("VM deleted, but its {} could not be removed: {}", what, e.getMessage());
        }
    }

    @Override
    public Snapshot snapshot(String name, SnapshotSpec spec) {
        return changes.snapshot(name, spec);
    }

    @Override
    public List<Snapshot> snapshots(String name) {
        return changes.snapshots(name);
    }

    @Override
    public synchronized Vm revert(String name, String snapshot) {
        return changes.revert(name, snapshot);
    }

    @Override
    public void deleteSnapshot(String name, String snapshot) {
        changes.deleteSnapshot(name, snapshot);
    }

    // Serialised with create and delete: they pick volume names and MAC addresses from what is in use.

    @Override
    public synchronized Vm attachDisk(String name, DiskSpec disk) {
        return changes.attachDisk(name, disk);
    }

    @Override
    public synchronized Vm attachVolume(String name, VolumeRef volume) {
        return changes.attachVolume(name, volume);
    }

    @Override
    public synchronized Vm detachDisk(String name, VolumeRef volume, boolean deleteVolume) {
        return changes.detachDisk(name, volume, deleteVolume);
    }

    @Override
    public synchronized Vm attachNic(String name, NicSpec nic) {
        return changes.attachNic(name, nic);
    }

    @Override
    public synchronized Vm detachNic(String name, String portId) {
        return changes.detachNic(name, portId);
    }

    @Override
    public synchronized Vm retag(String name, Set<String> tags) {
        return changes.retag(name, tags);
    }

    @Override
    public Vm changeMedia(String name, Optional<String> isoPath) {
        return changes.changeMedia(name, isoPath);
    }

    @Override
    public synchronized Vm changeMedia(String name, String pool, String iso) {
        return changes.changeMedia(name, pool, iso);
    }

    @Override
    public MigrationProgress migrate(String name, MigrationSpec spec, Consumer<MigrationProgress> progress) {
        Validation.required("migration", spec);
        Validation.required("progress listener", progress);
        MigrationTargets.check(spec);
        Vm vm = get(name);
        HypervisorBackend hv = backends.hypervisors.require(vm.spec().hypervisor(), Capability.LIVE_MIGRATION);
        if (vm.state() != PowerState.STOPPED && !spec.live()) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is " + vm.state()
                    + ": migrate it live or stop it first");
        }
        if (!migrating.add(name)) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is already migrating");
        }
        try {
            events.publish(QuantixEvent.Kind.VM, "MIGRATING", name, "migration to " + spec.targetUri() + " started");
            MigrationProgress last = hv.migrate(name, spec, progress);
            if (last.phase() == MigrationProgress.Phase.COMPLETED) {
                inventory.forget(vm);
                events.publish(QuantixEvent.Kind.VM, "MIGRATED", name, "VM now runs on " + spec.targetUri());
            } else {
                events.publish(QuantixEvent.Kind.VM, "MIGRATION_" + last.phase(), name, "VM stays on this node");
            }
            return last;
        } finally {
            migrating.remove(name);
        }
    }

    @Override
    public boolean autostart(String name) {
        return backends.hypervisors.require(get(name).spec().hypervisor(), Capability.AUTOSTART).autostart(name);
    }

    @Override
    public Vm setAutostart(String name, boolean enabled) {
        Vm vm = get(name);
        backends.hypervisors.require(vm.spec().hypervisor(), Capability.AUTOSTART).setAutostart(name, enabled);
        return inventory.reload(vm.spec().hypervisor(), name);
    }

    @Override
    public void cancelMigration(String name) {
        Vm vm = get(name);
        HypervisorBackend hv = backends.hypervisors.require(vm.spec().hypervisor(), Capability.LIVE_MIGRATION);
        if (!migrating.contains(name)) {
            throw new QuantixException(ErrorCode.NOT_FOUND, "VM '" + name + "' is not migrating");
        }
        hv.cancelMigration(name);
    }

    @Override
    public ConsoleEndpoint console(String name, ConsoleType type) {
        Validation.required("console type", type);
        Vm vm = get(name);
        return backends.hypervisors.require(vm.spec().hypervisor(), Capability.CONSOLE).console(name, type);
    }

    @Override
    public VmMetrics metrics(String name) {
        Vm vm = get(name);
        return backends.hypervisors.require(vm.spec().hypervisor(), Capability.METRICS).metrics(name);
    }

    /** A locally administered unicast address in QEMU's 52:54:00 range, unique on this node. */
    static String randomMac(Predicate<String> taken) {
        String mac;
        do {
            mac = String.format("52:54:00:%02x:%02x:%02x", RANDOM.nextInt(256), RANDOM.nextInt(256), RANDOM.nextInt(256));
        } while (taken.test(mac));
        return mac;
    }
}
