package io.quantix.api.service;

import io.quantix.api.Network;
import io.quantix.api.NetworkPort;
import io.quantix.api.NetworkSpec;
import java.util.List;

/** Networks VMs attach to. Definitions survive restarts and driver swaps. */
public interface NetworkService {

    List<Network> list();

    Network get(String name);

    Network create(NetworkSpec spec);

    /** Refused with CONFLICT while a VM has a NIC on it or a router connects it (uplink included). */
    void delete(String name);

    /** The ports of VMs' NICs, on one network or (empty) all, with their addresses where the driver knows them. */
    List<NetworkPort> ports(java.util.Optional<String> network);
}
