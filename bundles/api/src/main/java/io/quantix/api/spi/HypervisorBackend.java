package io.quantix.api.spi;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.PowerAction;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import java.util.List;
import java.util.Optional;

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
     * Names of the VMs this backend sees on its hypervisor but did not define (no Quantix record): shown to
     * people so they are not surprised, never changed or deleted.
     */
    default List<String> unmanaged() {
        return List.of();
    }
}
