package io.quantix.api;

/** How a hypervisor plugs a NIC into its network, as the network driver decides. */
public sealed interface NicBinding {

    /** A tap device on a host Linux bridge. */
    record Bridge(String bridge) implements NicBinding {
        public Bridge {
            Validation.interfaceName("bridge", bridge);
        }
    }
}
