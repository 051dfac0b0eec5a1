package io.quantix.api.service;

import io.quantix.api.CloudInit;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeRef;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * VMs on this node. Every method throws {@link io.quantix.api.QuantixException} with a stable code.
 */
public interface VmService {

    /** Every VM, including those of a backend that is gone ({@link io.quantix.api.PowerState#UNAVAILABLE}). */
    List<Vm> list();

    /**
     * The VMs in {@code state} (any if empty) that carry {@code tag} (any if empty; a name or {@code key=value}),
     * by name: what every API's filtered list answers.
     */
    List<Vm> list(Optional<PowerState> state, Optional<String> tag);

    Vm get(String name);

    /**
     * Creates volumes, network ports and the VM definition, then starts it if asked. If any step fails,
     * every earlier step is undone: no volume, port or definition is left behind.
     */
    default Vm create(VmSpec spec, boolean start) {
        return create(spec, Optional.empty(), start);
    }

    /**
     * As {@link #create(VmSpec, boolean)}, and gives the VM a cloud-init NoCloud seed (a read-only CD-ROM) for
     * its first boot; deleting the VM deletes the seed. UNSUPPORTED if its hypervisor cannot attach one.
     */
    Vm create(VmSpec spec, Optional<CloudInit> cloudInit, boolean start);

    Vm power(String name, PowerAction action);

    /**
     * Deletes a stopped VM.
     *
     * @param deleteVolumes also delete the volumes that were created for it
     */
    void delete(String name, boolean deleteVolumes);

    VmMetrics metrics(String name);

    /**
     * Where to reach the VM's console. Each call for VNC or SPICE sets a new one-time password, valid for a
     * short while, and the previous one stops working. UNSUPPORTED if its hypervisor has no consoles.
     */
    ConsoleEndpoint console(String name, ConsoleType type);

    // Snapshots: UNSUPPORTED if the VM's hypervisor cannot take them.

    Snapshot snapshot(String name, SnapshotSpec spec);

    /** Oldest first; {@link Snapshot#parent()} links them into a tree. */
    List<Snapshot> snapshots(String name);

    /** Returns the VM to the snapshot and answers the VM as it is now. */
    Vm revert(String name, String snapshot);

    void deleteSnapshot(String name, String snapshot);

    // Hot-plug, on a running or stopped VM: UNSUPPORTED if the VM's hypervisor cannot, checked before anything
    // is created. Each answers the VM as it is now.

    /** Creates a volume for the disk and attaches it; if attaching fails, the volume is deleted again. */
    Vm attachDisk(String name, DiskSpec disk);

    /**
     * Plugs an existing volume (a clone of a template, an imported image, an iSCSI LUN) into a VM as a virtio disk.
     * CONFLICT if it is a template (clone it instead) or already a disk of a VM.
     */
    Vm attachVolume(String name, VolumeRef volume);

    /** @param deleteVolume also delete the volume once it is detached */
    Vm detachDisk(String name, VolumeRef volume, boolean deleteVolume);

    /** Creates the network port and plugs the NIC in; if plugging fails, the port is deleted again. */
    Vm attachNic(String name, NicSpec nic);

    /** Unplugs the NIC and deletes its port. */
    Vm detachNic(String name, String portId);

    /**
     * Inserts the ISO image (an absolute path on the node) into the VM's CD-ROM drive; empty ejects it.
     * INVALID_ARGUMENT if the path is outside the folders the node lets API clients name.
     */
    Vm changeMedia(String name, Optional<String> isoPath);

    // Autostart: defaults only so that implementations written before it keep compiling; the node implements both.

    /** Whether the VM starts by itself when the node starts. UNSUPPORTED if its hypervisor cannot do that. */
    default boolean autostart(String name) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, "this node does not implement autostart");
    }

    /** Marks the VM to start (or no longer start) when the node starts; answers the VM as it is now. */
    default Vm setAutostart(String name, boolean enabled) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, "this node does not implement autostart");
    }

    /** Inserts an ISO image of a pool's ISO library into the VM's CD-ROM drive. */
    Vm changeMedia(String name, String pool, String iso);

    /**
     * Replaces the VM's tags: kept in its hypervisor's record, and each NIC's port follows (the security groups
     * that select a tag take it in or let it go; no rule changes). Bad tags change nothing. UNSUPPORTED if its
     * hypervisor cannot keep tags; answers the VM as it is now.
     */
    default Vm retag(String name, Set<String> tags) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, "this node does not implement retagging");
    }

    /**
     * Moves the VM to another node and blocks until the migration ends, reporting progress about once a second.
     * A running VM moves live if {@link io.quantix.api.MigrationSpec#live()} asks for it, else CONFLICT; a stopped
     * VM moves offline. Once COMPLETED the VM belongs to the destination and is no longer on this node.
     * UNSUPPORTED if its hypervisor cannot migrate; CONFLICT if a migration of the VM already runs.
     * INVALID_ARGUMENT, before anything else, for a target URI other than qemu+tls, qemu+tcp, qemu+ssh or
     * qemu+unix to {@code /system} or {@code /session} without a query, or a migrate URI other than tcp://host:port.
     *
     * @return the last progress: COMPLETED, or CANCELLED after {@link #cancelMigration}
     */
    MigrationProgress migrate(String name, MigrationSpec spec, Consumer<MigrationProgress> progress);

    /** Cancels the VM's running migration; the VM keeps running here. NOT_FOUND if none runs. */
    void cancelMigration(String name);
}
