package io.quantix.core.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.NicBinding;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.HypervisorBackend;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Orchestrates VMs over the bound backends: creation all or nothing, power, deletion with clean-up. */
@Component(service = VmService.class)
public class VmManager implements VmService {
    private static final Logger LOG = LoggerFactory.getLogger(VmManager.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackendRegistry backends;
    private final StorageManager storage;
    private final NetworkManager networks;
    private final Events events;
    private final VmInventory inventory;

    @Activate
    public VmManager(@Reference BackendRegistry backends, @Reference StorageManager storage,
            @Reference NetworkManager networks, @Reference Events events, @Reference VmInventory inventory) {
        this.backends = backends;
        this.storage = storage;
        this.networks = networks;
        this.events = events;
        this.inventory = inventory;
    }

    @Override
    public List<Vm> list() {
        return inventory.list();
    }

    @Override
    public Vm get(String name) {
        Validation.name("VM", name);
        return inventory.find(name).orElseThrow(() -> QuantixException.notFound("VM", name));
    }

    @Override
    public synchronized Vm create(VmSpec spec, boolean start) {
        HypervisorBackend hv = backends.hypervisors.require(spec.hypervisor());
        checkCreatable(spec, hv);
        String id = UUID.randomUUID().toString();
        UndoLog undo = new UndoLog();
        try {
            List<AttachedDisk> disks = createDisks(spec, undo);
            List<AttachedNic> nics = createPorts(spec, undo);
            Vm vm = hv.define(id, spec, disks, nics);
            undo.done("definition of VM " + spec.name(), () -> hv.undefine(spec.name()));
            if (start) {
                hv.power(spec.name(), PowerAction.START);
                vm = hv.find(spec.name()).orElse(vm);
            }
            inventory.remember(vm);
            events.publish(QuantixEvent.Kind.VM, "CREATED", spec.name(), "VM created on " + spec.hypervisor());
            if (start) {
                events.publish(QuantixEvent.Kind.VM, "STARTED", spec.name(), "VM started");
            }
            return vm;
        } catch (RuntimeException e) {
            LOG.warn("creating VM {} failed, rolling back: {}", spec.name(), e.getMessage());
            throw undo.rollback(e);
        }
    }

    /** Everything that can be checked before a single resource is created. */
    private void checkCreatable(VmSpec spec, HypervisorBackend hv) {
        if (inventory.find(spec.name()).isPresent()) {
            throw QuantixException.alreadyExists("VM", spec.name());
        }
        if (spec.firmware() == Firmware.UEFI) {
            backends.hypervisors.require(spec.hypervisor(), Capability.UEFI);
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
                if (!macs.add(mac) || usedMacs().contains(mac)) {
                    throw new QuantixException(ErrorCode.CONFLICT, "MAC address " + mac + " is already in use");
                }
            });
        }
    }

    private List<AttachedDisk> createDisks(VmSpec spec, UndoLog undo) {
        List<AttachedDisk> disks = new ArrayList<>();
        for (int i = 0; i < spec.disks().size(); i++) {
            DiskSpec d = spec.disks().get(i);
            Volume v = storage.createVolume(d.pool(), new VolumeSpec(diskVolumeName(spec.name(), i), d.sizeBytes(), d.format()));
            undo.done("volume " + v.ref(), () -> storage.deleteUnused(v.ref()));
            disks.add(new AttachedDisk(v.ref(), v.source(), d.format(), d.bus()));
        }
        return disks;
    }

    private List<AttachedNic> createPorts(VmSpec spec, UndoLog undo) {
        List<AttachedNic> nics = new ArrayList<>();
        Set<String> taken = usedMacs();
        for (NicSpec n : spec.nics()) {
            String portId = UUID.randomUUID().toString();
            String mac = n.mac().orElseGet(() -> randomMac(taken));
            taken.add(mac);
            NicBinding binding = networks.createPort(n.network(), portId, mac);
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
        hv.power(name, action);
        Vm now = hv.find(name).orElseThrow(() -> QuantixException.notFound("VM", name));
        inventory.remember(now);
        events.publish(QuantixEvent.Kind.VM, eventType(action), name, "VM " + action.name().toLowerCase(java.util.Locale.ROOT)
                + " requested; now " + now.state());
        return now;
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
    public VmMetrics metrics(String name) {
        Vm vm = get(name);
        return backends.hypervisors.require(vm.spec().hypervisor(), Capability.METRICS).metrics(name);
    }

    private Set<String> usedMacs() {
        return list().stream().flatMap(vm -> vm.nics().stream()).map(AttachedNic::mac)
                .collect(Collectors.toCollection(HashSet::new));
    }

    /** A locally administered unicast address in QEMU's 52:54:00 range, unique on this node. */
    private static String randomMac(Set<String> taken) {
        String mac;
        do {
            mac = String.format("52:54:00:%02x:%02x:%02x", RANDOM.nextInt(256), RANDOM.nextInt(256), RANDOM.nextInt(256));
        } while (taken.contains(mac));
        return mac;
    }
}
