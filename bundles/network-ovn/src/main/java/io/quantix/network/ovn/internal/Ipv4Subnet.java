package io.quantix.network.ovn.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/** An IPv4 subnet of a network: what OVN needs for DHCP and what the driver's address allocation works on. */
record Ipv4Subnet(String cidr, int network, int prefix) {

    static Ipv4Subnet of(NetworkSpec spec) {
        String cidr = spec.cidr().orElseThrow();
        if (cidr.contains(":")) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "network " + Validation.quote(spec.name())
                    + ": the ovn driver manages IPv4 subnets only");
        }
        Ipv4Subnet subnet = parse(cidr);
        if (subnet.prefix > 29) {
            throw QuantixException.invalid("subnet " + cidr + " is too small: the ovn driver needs at least a /29");
        }
        return subnet;
    }

    /** A CIDR NetworkSpec has already checked (well-formed, no host bits), or one the driver wrote to NB. */
    static Ipv4Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        return new Ipv4Subnet(cidr, toInt(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    int size() {
        return 1 << (32 - prefix);
    }

    boolean overlaps(Ipv4Subnet other) {
        int p = Math.min(prefix, other.prefix);
        int mask = (int) (0xffffffffL << (32 - p));
        return (network & mask) == (other.network & mask);
    }

    /** The address DHCP answers from: the gateway if there is one, else the first host address. */
    String serverAddress(NetworkSpec spec) {
        return spec.gateway().orElse(toText(network + 1));
    }

    /** The lowest host address not in use and not reserved (network, broadcast, the DHCP server/gateway). */
    String allocate(NetworkSpec spec, Collection<String> inUse) {
        Set<Integer> taken = inUse.stream().map(Ipv4Subnet::toInt).collect(Collectors.toSet());
        taken.add(toInt(serverAddress(spec)));
        for (int i = 1; i < size() - 1; i++) {
            if (!taken.contains(network + i)) {
                return toText(network + i);
            }
        }
        throw new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, "network " + Validation.quote(spec.name())
                + " has no free address left in " + cidr);
    }

    static int toInt(String ip) {
        String[] p = ip.split("\\.");
        if (p.length != 4) {
            throw QuantixException.invalid("address " + Validation.quote(ip) + " is not an IPv4 address");
        }
        int v = 0;
        for (String octet : p) {
            v = (v << 8) | (int) Validation.range("address octet", Integer.parseInt(octet), 0, 255);
        }
        return v;
    }

    static String toText(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }
}
