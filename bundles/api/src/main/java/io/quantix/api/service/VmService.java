package io.quantix.api.service;

import io.quantix.api.PowerAction;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import java.util.List;

/**
 * VMs on this node. Every method throws {@link io.quantix.api.QuantixException} with a stable code.
 */
public interface VmService {

    /** Every VM, including those of a backend that is gone ({@link io.quantix.api.PowerState#UNAVAILABLE}). */
    List<Vm> list();

    Vm get(String name);

    /**
     * Creates volumes, network ports and the VM definition, then starts it if asked. If any step fails,
     * every earlier step is undone: no volume, port or definition is left behind.
     */
    Vm create(VmSpec spec, boolean start);

    Vm power(String name, PowerAction action);

    /**
     * Deletes a stopped VM.
     *
     * @param deleteVolumes also delete the volumes that were created for it
     */
    void delete(String name, boolean deleteVolumes);

    VmMetrics metrics(String name);
}
