package io.quantix.api;

import java.util.Optional;

/** A NIC of a VM, on a named network. Without a MAC address the node generates one. */
public record NicSpec(String network, Optional<String> mac, NicModel model) {
    public NicSpec {
        Validation.name("network", network);
        mac = Validation.required("MAC address", mac).map(Validation::mac);
        Validation.required("NIC model", model);
    }

    public static NicSpec of(String network) {
        return new NicSpec(network, Optional.empty(), NicModel.VIRTIO);
    }
}
