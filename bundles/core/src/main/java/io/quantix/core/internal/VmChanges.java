package io.quantix.core.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.IsoImage;
import io.quantix.api.NicBinding;
import io.quantix.api.NicSpec;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.spi.HypervisorBackend;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to an existing VM: snapshots, hot-plugged devices and tags. Each checks the hypervisor's capability before it
 * creates anything, and undoes what it created when the hypervisor then fails. The caller serialises calls.
 */
final class VmChanges {
    private static final Logger LOG = LoggerFactory.getLogger(VmChanges.class);

    private final BackendRegistry backends;
    private final StorageManager storage;
    private final NetworkManager networks;
    private final Events events;
    private final VmInventory inventory;
    private final EdgePolicy policy;
    private final GuestAgentService agents;
    private final QuiescedSnapshots quiesced;

    VmChanges(BackendRegistry backends, StorageManager storage, NetworkManager networks, Events events,
            VmInventory inventory, EdgePolicy policy, GuestAgentService agents, QuiescedSnapshots quiesced) {
        this.agents = agents;
        this.quiesced = quiesced;
        this.backends = backends;
        this.storage = storage;
        this.networks = networks;
        this.events = events;
        this.inventory = inventory;
        this.policy = policy;
    }

    Snapshot snapshot(String name, SnapshotSpec spec) {
        Validation.required("snapshot spec", spec);
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.SNAPSHOT);
        Snapshot taken = spec.freezesWhen(vm.state()) ? quiescedSnapshot(vm, spec, hv) : hv.snapshot(name, spec);
        quiesced.taken(vm.id(), taken);
        current(vm);
        events.publish(QuantixEvent.Kind.VM, "SNAPSHOT_CREATED", name, "snapshot '" + taken.name() + "' taken"
                + (taken.includesMemory() ? " with memory" : "") + (taken.external() ? " (disk-only, external)" : "")
                + (taken.quiesced() ? ", the guest's filesystems frozen" : ""));
        return taken;
    }

    /**
     * Freeze, snapshot, thaw. An agent that cannot freeze gives a crash-consistent snapshot unless the spec requires
     * quiescing; a thaw that fails after the snapshot was taken does not undo it (the guest's own agent thaws at its
     * timeout) but is reported loudly.
     */
    private Snapshot quiescedSnapshot(Vm vm, SnapshotSpec spec, HypervisorBackend hv) {
        AtomicReference<Snapshot> taken = new AtomicReference<>();
        AtomicBoolean started = new AtomicBoolean();
        try {
            return agents.quiesced(vm.name(), () -> {
                started.set(true);
                taken.set(hv.snapshot(vm.name(), spec));
                return taken.get();
            }).withQuiesced(true);
        } catch (QuantixException e) {
            if (taken.get() != null) {
                LOG.error("VM {}: snapshot '{}' taken frozen, but the thaw failed: {}", vm.name(), spec.name(),
                        e.getMessage());
                events.publish(QuantixEvent.Kind.VM, "THAW_FAILED", vm.name(), "the guest's filesystems may still be"
                        + " frozen after snapshot '" + spec.name() + "': " + e.getMessage());
                return taken.get().withQuiesced(true);
            }
            if (started.get() || spec.quiesce() == SnapshotSpec.Quiesce.REQUIRED) {
                throw e;
            }
            LOG.warn("VM {}: snapshot '{}' taken without freezing the guest's filesystems: {}", vm.name(), spec.name(),
                    e.getMessage());
            return hv.snapshot(vm.name(), spec);
        }
    }

    List<Snapshot> snapshots(String name) {
        Vm vm = get(name);
        return hypervisor(vm, Capability.SNAPSHOT).snapshots(name).stream().map(s -> quiesced.of(vm.id(), s)).toList();
    }

    /**
     * A revert brings back the VM's definition of that time, so NICs plugged in since lose their NIC and NICs
     * unplugged since come back: their ports follow, so that no port leaks and no NIC is left without one.
     */
    Vm revert(String name, String snapshot) {
        Validation.name("snapshot", snapshot);
        Vm before = get(name);
        HypervisorBackend hv = hypervisor(before, Capability.SNAPSHOT);
        hv.revert(name, snapshot);
        Vm after = current(before);
        Set<String> portsBefore = before.nics().stream().map(AttachedNic::portId).collect(Collectors.toSet());
        Set<String> portsAfter = after.nics().stream().map(AttachedNic::portId).collect(Collectors.toSet());
        before.nics().stream().filter(n -> !portsAfter.contains(n.portId()))
                .forEach(n -> cleanUp("port " + n.portId(), () -> networks.deletePort(n.network(), n.portId())));
        after.nics().stream().filter(n -> !portsBefore.contains(n.portId()))
                .forEach(n -> cleanUp("port " + n.portId(), () -> networks.createPort(n.network(),
                        new PortSpec(n.portId(), n.mac(), name, after.spec().tags()))));
        events.publish(QuantixEvent.Kind.VM, "REVERTED", name, "reverted to snapshot '" + snapshot + "'; now "
                + after.state());
        return after;
    }

    void deleteSnapshot(String name, String snapshot) {
        Validation.name("snapshot", snapshot);
        Vm vm = get(name);
        hypervisor(vm, Capability.SNAPSHOT).deleteSnapshot(name, snapshot);
        quiesced.deleted(vm.id(), snapshot);
        current(vm);
        events.publish(QuantixEvent.Kind.VM, "SNAPSHOT_DELETED", name, "snapshot '" + snapshot + "' deleted");
    }

    Vm attachDisk(String name, DiskSpec asked) {
        Validation.required("disk", asked);
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        if (vm.disks().size() >= VmSpec.MAX_DISKS) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' already has " + VmSpec.MAX_DISKS + " disks");
        }
        backends.storage.require(storage.spec(asked.pool()).backend());
        DiskSpec disk = storage.withFormat(asked);
        VolumeFormat format = disk.format().orElseThrow();
        UndoLog undo = new UndoLog();
        try {
            Volume v = storage.createVolume(disk.pool(), new VolumeSpec(freeVolumeName(vm, disk.pool()), disk.sizeBytes(),
                    format));
            undo.done("volume " + v.ref(), () -> storage.deleteUnused(v.ref()));
            hv.attachDisk(name, new AttachedDisk(v.ref(), v.source(), format, disk.bus()));
            Vm now = current(vm);
            events.publish(QuantixEvent.Kind.VM, "DISK_ATTACHED", name, "disk " + v.ref() + " attached");
            return now;
        } catch (RuntimeException e) {
            LOG.warn("attaching a disk to VM {} failed, rolling back: {}", name, e.getMessage());
            throw undo.rollback(e);
        }
    }

    Vm attachVolume(String name, VolumeRef ref) {
        Validation.required("volume", ref);
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        if (vm.disks().size() >= VmSpec.MAX_DISKS) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' already has " + VmSpec.MAX_DISKS + " disks");
        }
        Volume v = storage.volume(ref);
        if (v.template()) {
            throw new QuantixException(ErrorCode.CONFLICT, "volume " + ref + " is a template, which no VM writes to:"
                    + " clone it (qx:volume-clone) and attach the clone");
        }
        inventory.diskOf(ref).ifPresent(other -> {
            throw new QuantixException(ErrorCode.CONFLICT, "volume " + ref + " is already a disk of VM '" + other.name() + "'");
        });
        hv.attachDisk(name, new AttachedDisk(ref, v.source(), v.format(), DiskBus.VIRTIO));
        Vm now = current(vm);
        events.publish(QuantixEvent.Kind.VM, "DISK_ATTACHED", name, "volume " + ref + " attached");
        return now;
    }

    Vm detachDisk(String name, VolumeRef volume, boolean deleteVolume) {
        Validation.required("volume", volume);
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        if (vm.disks().stream().noneMatch(d -> d.volume().equals(volume))) {
            throw QuantixException.notFound("disk of VM '" + name + "' from volume", volume.toString());
        }
        if (deleteVolume) {
            backends.storage.require(storage.spec(volume.pool()).backend());
        }
        hv.detachDisk(name, volume);
        Vm now = current(vm);
        events.publish(QuantixEvent.Kind.VM, "DISK_DETACHED", name, "disk " + volume + " detached");
        if (deleteVolume) {
            // the VM no longer uses it; if this fails the volume stays, detached, for the user to delete
            storage.deleteUnused(volume);
        }
        return now;
    }

    Vm attachNic(String name, NicSpec nic) {
        Validation.required("NIC", nic);
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        if (vm.nics().size() >= VmSpec.MAX_NICS) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' already has " + VmSpec.MAX_NICS + " NICs");
        }
        backends.networks.require(networks.spec(nic.network()).driver());
        nic.mac().filter(inventory::macInUse).ifPresent(mac -> {
            throw new QuantixException(ErrorCode.CONFLICT, "MAC address " + mac + " is already in use");
        });
        String portId = UUID.randomUUID().toString();
        String mac = nic.mac().orElseGet(() -> VmManager.randomMac(inventory::macInUse));
        UndoLog undo = new UndoLog();
        try {
            NicBinding binding = networks.createPort(nic.network(), new PortSpec(portId, mac, name, vm.spec().tags()));
            undo.done("port " + portId + " on " + nic.network(), () -> networks.deletePort(nic.network(), portId));
            hv.attachNic(name, new AttachedNic(nic.network(), portId, mac, nic.model(), binding));
            Vm now = current(vm);
            events.publish(QuantixEvent.Kind.VM, "NIC_ATTACHED", name, "NIC " + mac + " on network " + nic.network()
                    + " attached (port " + portId + ")");
            return now;
        } catch (RuntimeException e) {
            LOG.warn("attaching a NIC to VM {} failed, rolling back: {}", name, e.getMessage());
            throw undo.rollback(e);
        }
    }

    Vm detachNic(String name, String portId) {
        Validation.name("port", portId);
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        AttachedNic nic = vm.nics().stream().filter(n -> n.portId().equals(portId)).findFirst()
                .orElseThrow(() -> QuantixException.notFound("NIC of VM '" + name + "' on port", portId));
        backends.networks.require(networks.spec(nic.network()).driver());
        hv.detachNic(name, portId);
        Vm now = current(vm);
        cleanUp("port " + portId, () -> networks.deletePort(nic.network(), portId));
        events.publish(QuantixEvent.Kind.VM, "NIC_DETACHED", name, "NIC " + nic.mac() + " detached");
        return now;
    }

    Vm changeMedia(String name, Optional<String> isoPath) {
        // a path the client chose: only under the folders the node lets clients name
        Optional<String> iso = Validation.required("ISO path", isoPath).map(p -> policy.hostPath("ISO path", p));
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        hv.changeMedia(name, iso);
        Vm now = current(vm);
        events.publish(QuantixEvent.Kind.VM, "MEDIA_CHANGED", name, iso.map(p -> "CD-ROM now holds " + p)
                .orElse("CD-ROM ejected"));
        return now;
    }

    Vm changeMedia(String name, String pool, String iso) {
        Validation.name("ISO image", iso);
        IsoImage image = storage.listIsos(pool).stream().filter(i -> i.name().equals(iso)).findFirst()
                .orElseThrow(() -> QuantixException.notFound("ISO image", pool + "/" + iso));
        Vm vm = get(name);
        HypervisorBackend hv = hypervisor(vm, Capability.HOT_PLUG);
        hv.changeMedia(name, image.source());
        Vm now = current(vm);
        events.publish(QuantixEvent.Kind.VM, "MEDIA_CHANGED", name, "CD-ROM now holds " + pool + "/" + iso);
        return now;
    }

    private Vm get(String name) {
        Validation.name("VM", name);
        return inventory.find(name).orElseThrow(() -> QuantixException.notFound("VM", name));
    }

    private HypervisorBackend hypervisor(Vm vm, Capability capability) {
        return backends.hypervisors.require(vm.spec().hypervisor(), capability);
    }

    /** The VM as its hypervisor has it after a change. */
    private Vm current(Vm vm) {
        return inventory.reload(vm.spec().hypervisor(), vm.name());
    }

    /**
     * New tags: first in the hypervisor's record of the VM, then on each NIC's port, so that security groups take
     * the VM in or let it go (their rules stay as they are). Everything that can fail for bad input is checked
     * first; a driver failing part way puts the old tags back wherever they had already changed.
     */
    Vm retag(String name, Set<String> tags) {
        Set<String> valid = Validation.tags(tags);
        Vm vm = get(name);
        HypervisorBackend hv = backends.hypervisors.require(vm.spec().hypervisor());
        vm.nics().forEach(n -> networks.driver(n.network()));
        Set<String> old = vm.spec().tags();
        UndoLog undo = new UndoLog();
        try {
            hv.updateTags(name, valid);
            undo.done("tags of VM " + name, () -> hv.updateTags(name, old));
            for (AttachedNic n : vm.nics()) {
                networks.updatePort(n.network(), new PortSpec(n.portId(), n.mac(), name, valid));
                undo.done("port " + n.portId(), () -> networks.updatePort(n.network(), new PortSpec(n.portId(), n.mac(), name, old)));
            }
        } catch (RuntimeException e) {
            throw undo.rollback(e);
        }
        events.publish(QuantixEvent.Kind.VM, "UPDATED", name, "tags now " + String.join(",", new TreeSet<>(valid)));
        return current(vm);
    }

    /** The first {@code <vm>-diskN} not yet in the pool, so hot-plugged volumes are named like the VM's others. */
    private String freeVolumeName(Vm vm, String pool) {
        Set<String> taken = storage.listVolumes(pool).stream().map(Volume::name).collect(Collectors.toSet());
        vm.disks().forEach(d -> taken.add(d.volume().volume()));
        for (int i = vm.disks().size(); ; i++) {
            String candidate = VmManager.diskVolumeName(vm.name(), i);
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    private static void cleanUp(String what, Runnable action) {
        try {
            action.run();
        } catch (QuantixException e) {
            LOG.error("the VM changed, but its {} could not be updated: {}", what, e.getMessage());
        }
    }
}
