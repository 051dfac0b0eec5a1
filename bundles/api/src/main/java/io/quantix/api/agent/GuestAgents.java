package io.quantix.api.agent;

/**
 * The guest agents of one hypervisor backend's VMs (a service, registered with {@link
 * io.quantix.api.spi.Backend#PROPERTY} naming that backend, e.g. {@code quantix.backend=libvirt}). Callers use
 * {@link io.quantix.api.service.GuestAgentService}, which finds the VM and its backend first.
 */
public interface GuestAgents {
    /**
     * The qemu-guest-agent of a VM. Returns at once: whether an agent answers shows at the first call. Close it
     * when done.
     *
     * @param vmId the VM's id (its libvirt domain UUID)
     */
    GuestAgent qemuAgent(String vmId);

    /**
     * The best agent of a VM: the Quantix agent when its channel answers a ping, else its qemu-guest-agent (whose
     * answer shows at the first call). Close it when done; {@link GuestAgent#info()} says which it is.
     *
     * @param vmId the VM's id (its libvirt domain UUID)
     */
    default GuestAgent agent(String vmId) {
        return qemuAgent(vmId);
    }
}
