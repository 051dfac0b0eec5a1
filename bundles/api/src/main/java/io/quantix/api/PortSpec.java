package io.quantix.api;

import java.util.Set;

/**
 * A VM's NIC as its network driver sees it when making the port: the VM's name and tags let a driver
 * publish a DNS name for it and put it in the security groups its tags select.
 *
 * @param id the port id Quantix chose (a UUID)
 */
public record PortSpec(String id, String mac, String vm, Set<String> tags) {
    public PortSpec {
        Validation.name("port", id);
        mac = Validation.mac(mac);
        Validation.name("VM", vm);
        tags = Validation.tags(tags);
    }
}
