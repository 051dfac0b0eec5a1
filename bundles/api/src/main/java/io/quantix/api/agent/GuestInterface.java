package io.quantix.api.agent;

import java.util.List;
import java.util.Objects;

/**
 * A network interface of the guest.
 *
 * @param mac lower-case, colon-separated; "" for one without (loopback in some guests)
 */
public record GuestInterface(String name, String mac, List<GuestAddress> addresses) {
    public GuestInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        addresses = List.copyOf(addresses);
    }
}
