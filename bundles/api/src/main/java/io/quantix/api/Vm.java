package io.quantix.api;

import java.util.List;

/**
 * A VM as the node knows it.
 *
 * @param id the VM's UUID, fixed for its life
 * @param version the node's revision of this VM: higher on every change the node saw, never lower, across restarts
 *        too (like a Kubernetes resourceVersion); 0 on a VM a backend just read, before the node's inventory
 *        stamped it
 */
public record Vm(String id, VmSpec spec, PowerState state, List<AttachedDisk> disks, List<AttachedNic> nics,
        long version) {
    public Vm {
        Validation.required("VM id", id);
        Validation.required("VM spec", spec);
        Validation.required("power state", state);
        disks = Validation.list("disks", disks);
        nics = Validation.list("NICs", nics);
        if (version < 0) {
            throw QuantixException.invalid("VM version " + version + " is negative");
        }
    }

    /** A VM as a backend reads it, not yet versioned. */
    public Vm(String id, VmSpec spec, PowerState state, List<AttachedDisk> disks, List<AttachedNic> nics) {
        this(id, spec, state, disks, nics, 0);
    }

    public String name() {
        return spec.name();
    }

    public Vm withState(PowerState newState) {
        return new Vm(id, spec, newState, disks, nics, version);
    }

    public Vm withVersion(long newVersion) {
        return new Vm(id, spec, state, disks, nics, newVersion);
    }

    /** Whether the two describe the same VM in the same state, whatever their versions. */
    public boolean sameAs(Vm other) {
        return equals(other.withVersion(version));
    }
}
