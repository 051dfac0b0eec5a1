package io.quantix.api.agent;

import java.util.Objects;

/** An IP address of a guest interface, with its prefix length. */
public record GuestAddress(Family family, String address, int prefix) {
    public enum Family { IPV4, IPV6 }

    public GuestAddress {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(address, "address");
        if (prefix < 0 || prefix > (family == Family.IPV4 ? 32 : 128)) {
            throw new IllegalArgumentException("prefix " + prefix + " out of range for " + family);
        }
    }
}
