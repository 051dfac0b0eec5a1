package io.quantix.api.spi;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeRef;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs VMs. Each backend keeps one durable record per VM in its hypervisor's own store (libvirt: the domain XML;
 * Cloud Hypervisor, which has none: a file per VM in its run directory), holding every Quantix field of {@link Vm};
 * the power state is always read from the hypervisor. Callers never need to know which backend they talk to.
 */
public interface HypervisorBackend extends Backend {

    /**
     * Refuses a VM this hypervisor cannot run (UNSUPPORTED: a device, boot device or firmware it lacks) or that
     * names another backend (INVALID_ARGUMENT). The core calls it before it makes any volume or port for the VM;
     * {@link #define} checks the same again.
     */
    default void checkDefinable(VmSpec spec) {
    }

    /**
     * Defines (does not start) a VM. ALREADY_EXISTS if the name or id is taken; UNSUPPORTED if it asks for a
     * device, boot device or firmware this hypervisor cannot provide.
     */
    Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics);

    /**
     * Defines a VM with extras beside its disks and NICs. UNSUPPORTED for an extra this backend lacks (see
     * {@link Capability#CLOUD_INIT}); without extras it is {@link #define(String, VmSpec, List, List)}.
     */
    default Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics, DefineOptions options) {
        if (options.cloudInitSeed().isPresent()) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "this hypervisor backend cannot attach a cloud-init seed");
        }
        return define(id, spec, disks, nics);
    }

    /** Every VM this backend manages, read from the hypervisor. */
    List<Vm> list();

    Optional<Vm> find(String name);

    /**
     * CONFLICT when the VM's state does not allow the action. SHUTDOWN only asks the guest: the VM reaches
     * STOPPED in the guest's own time, or never if it ignores the request.
     */
    void power(String name, PowerAction action);

    /** Removes a stopped VM's definition; CONFLICT if it is running. */
    void undefine(String name);

    VmMetrics metrics(String name);

    /**
     * The metrics of those of these VMs that exist on this backend, by name, read at once: a backend with a bulk
     * call answers in one round trip whatever the number of VMs. The counters are those {@link #metrics(String)}
     * gives; a VM that went away meanwhile is left out. The default asks {@link #metrics(String)} for each.
     */
    default Map<String, VmMetrics> metricsAll(Collection<Vm> vms) {
        Map<String, VmMetrics> all = new HashMap<>();
        for (Vm vm : vms) {
            try {
                all.put(vm.name(), metrics(vm.name()));
            } catch (QuantixException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return all;
    }

    /**
     * Where to reach the VM's console ({@link Capability#CONSOLE}). A graphics console gets a new one-time
     * password on every call. CONFLICT if the VM must be running for it.
     */
    default ConsoleEndpoint console(String name, ConsoleType type) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, "this hypervisor backend has no consoles");
    }

    /**
     * Subscribes to VM state changes ({@link Capability#LIFECYCLE_EVENTS}): the backend calls the listener with
     * {@link QuantixEvent.Kind#VM} events, on its own thread, whoever caused the change. A backend without the
     * capability never calls it.
     */
    default void addListener(Consumer<QuantixEvent> listener) {
    }

    default void removeListener(Consumer<QuantixEvent> listener) {
    }

    /**
     * Names of the VMs this backend sees on its hypervisor but did not define (no Quantix record): shown to
     * people so they are not surprised, never changed or deleted.
     */
    default List<String> unmanaged() {
        return List.of();
    }

    // Snapshots (Capability.SNAPSHOT): a backend without them keeps these defaults.

    /**
     * Takes a snapshot. INVALID_ARGUMENT if the spec does not fit the VM's state (memory of a stopped VM),
     * ALREADY_EXISTS if the VM has a snapshot of that name.
     */
    default Snapshot snapshot(String vm, SnapshotSpec spec) {
        throw unsupported("snapshots");
    }

    /** The VM's snapshots, oldest first; {@link Snapshot#parent()} links them into a tree. */
    default List<Snapshot> snapshots(String vm) {
        throw unsupported("snapshots");
    }

    /** Returns the VM to the snapshot: its disks, its definition and, with memory, its running guest. */
    default void revert(String vm, String snapshot) {
        throw unsupported("snapshots");
    }

    /** Deletes the snapshot; the VM's current state is kept (an external one is merged back into its disks). */
    default void deleteSnapshot(String vm, String snapshot) {
        throw unsupported("snapshots");
    }

    // Hot-plug (Capability.HOT_PLUG): devices change on the running guest and in the VM's durable record alike,
    // so that list() and find() show them at once and they stay after a restart.

    default void attachDisk(String vm, AttachedDisk disk) {
        throw unsupported("hot-plug");
    }

    /** NOT_FOUND if the VM has no disk from that volume. */
    default void detachDisk(String vm, VolumeRef volume) {
        throw unsupported("hot-plug");
    }

    default void attachNic(String vm, AttachedNic nic) {
        throw unsupported("hot-plug");
    }

    /** NOT_FOUND if the VM has no NIC on that port. */
    default void detachNic(String vm, String portId) {
        throw unsupported("hot-plug");
    }

    /** Inserts the ISO image into the VM's CD-ROM drive, or ejects it when empty. */
    default void changeMedia(String vm, Optional<String> isoPath) {
        throw unsupported("hot-plug");
    }

    // Autostart (Capability.AUTOSTART): kept in the hypervisor's own record of the VM, so the hypervisor starts it
    // when the node starts, even before Quantix runs.

    /** Whether the VM starts when the node starts. */
    default boolean autostart(String vm) {
        throw unsupported("autostart");
    }

    default void setAutostart(String vm, boolean enabled) {
        throw unsupported("autostart");
    }

    /**
     * Inserts an ISO image from a pool's library, wherever that pool keeps it. Without an override only a file
     * can be inserted, as {@link #changeMedia(String, Optional)} does.
     */
    default void changeMedia(String vm, DiskSource iso) {
        if (iso instanceof DiskSource.File file) {
            changeMedia(vm, Optional.of(file.path()));
            return;
        }
        throw unsupported("CD-ROM media on network storage");
    }

    /**
     * Grows the disk of a running VM made from that volume, through the hypervisor, which holds the image open
     * and tells the guest the new size. NOT_FOUND if the VM has no such disk; CONFLICT if it is not running.
     */
    default void resizeDisk(String vm, VolumeRef volume, long newSizeBytes) {
        throw unsupported("online disk resize");
    }

    /** Replaces the VM's tags in its durable record, running or not (the tags are validated). */
    default void updateTags(String vm, Set<String> tags) {
        throw unsupported("changing a VM's tags");
    }

    // Migration (Capability.LIVE_MIGRATION).

    /**
     * Moves the VM to the hypervisor at {@link MigrationSpec#targetUri()}, blocking until it ends and calling
     * {@code progress} about once a second. Returns the last progress (COMPLETED or CANCELLED); throws
     * BACKEND_ERROR with the hypervisor's reason if it failed, the VM staying here.
     */
    default MigrationProgress migrate(String vm, MigrationSpec spec, Consumer<MigrationProgress> progress) {
        throw unsupported("migration");
    }

    /** Asks the VM's running migration to stop; NOT_FOUND if none runs. */
    default void cancelMigration(String vm) {
        throw unsupported("migration");
    }

    private QuantixException unsupported(String what) {
        return new QuantixException(ErrorCode.UNSUPPORTED, "this hypervisor backend does not implement " + what);
    }
}
