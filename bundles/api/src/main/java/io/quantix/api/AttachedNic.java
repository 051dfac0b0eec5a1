package io.quantix.api;

/** A NIC as the hypervisor sees it: its network, the driver's port, MAC and binding. */
public record AttachedNic(String network, String portId, String mac, NicModel model, NicBinding binding) {
    public AttachedNic {
        Validation.name("network", network);
        Validation.name("port", portId);
        mac = Validation.mac(mac);
        Validation.required("NIC model", model);
        Validation.required("NIC binding", binding);
    }
}
