package io.quantix.api;

/** How a network reaches its VMs. */
public enum NetworkType {
    /** VMs on a host Linux bridge. */
    BRIDGE,
    /** An 802.1Q VLAN on a physical uplink. */
    VLAN,
    /** A virtual network between nodes (Geneve, QuantumNet). */
    OVERLAY
}
