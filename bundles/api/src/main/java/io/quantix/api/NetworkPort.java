package io.quantix.api;

import java.util.Optional;

/** A VM's NIC port on a network, with the address its driver gave it (if the driver manages addresses). */
public record NetworkPort(String network, String portId, String vm, String mac, Optional<String> address) {
    public NetworkPort {
        Validation.name("network", network);
        Validation.name("port", portId);
        Validation.name("VM", vm);
        mac = Validation.mac(mac);
        Validation.required("address", address);
    }
}
