package io.quantix.agent;

/** The guest agents of this node's VMs (a service). */
public interface GuestAgents {
    /**
     * The qemu-guest-agent of a VM. Returns at once: whether an agent answers shows at the first call. Close it
     * when done.
     *
     * @param vmId the VM's id (its libvirt domain UUID)
     */
    GuestAgent qemuAgent(String vmId);
}
