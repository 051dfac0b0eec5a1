package io.quantix.api;

import java.util.List;

/**
 * A VM as the node knows it.
 *
 * @param id the VM's UUID, fixed for its life
 */
public record Vm(String id, VmSpec spec, PowerState state, List<AttachedDisk> disks, List<AttachedNic> nics) {
    public Vm {
        Validation.required("VM id", id);
        Validation.required("VM spec", spec);
        Validation.required("power state", state);
        disks = Validation.list("disks", disks);
        nics = Validation.list("NICs", nics);
    }

    public String name() {
        return spec.name();
    }

    public Vm withState(PowerState newState) {
        return new Vm(id, spec, newState, disks, nics);
    }
}
