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
 * Runs VMs. The hypervisor's own store (libvirt's domain XML) is the durable record of each VM,
 * including the Quantix fields of {@link Vm}; the backend keeps nothing else.
 */
public interface HypervisorBackend extends Backend {

    /** Defines (does not start) a VM. ALREADY_EXISTS if the name is taken. */
    Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics);

    /** Every VM this backend manages, read from the hypervisor. */
    List<Vm> list();

    Optional<Vm> find(String name);

    /** CONFLICT when the VM's state does not allow the action. */
    void power(String name, PowerAction action);

    /** Removes a stopped VM's definition; CONFLICT if it is running. */
    void undefine(String name);

    VmMetrics metrics(String name);
}
