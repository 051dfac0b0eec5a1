package io.quantix.api;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A network definition.
 *
 * @param driver the network driver that serves it ({@code bridge}, {@code ovn})
 * @param cidr the subnet, e.g. {@code 10.0.0.0/24}, when Quantix manages addressing
 * @param gateway an address inside {@code cidr}
 * @param vlanId 1..4094, required for {@link NetworkType#VLAN} and allowed only there
 * @param bridge the host bridge, for drivers that use one; the driver picks one when empty
 */
public record NetworkSpec(String name, String driver, NetworkType type, Optional<String> cidr,
        Optional<String> gateway, boolean dhcp, OptionalInt vlanId, Optional<String> bridge) {
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    public NetworkSpec {
        Validation.name("network", name);
        Validation.name("network driver", driver);
        Validation.required("network type", type);
        Validation.required("CIDR", cidr);
        Validation.required("gateway", gateway);
        Validation.required("VLAN id", vlanId);
        Validation.required("bridge", bridge);
        bridge.ifPresent(b -> Validation.interfaceName("bridge", b));
        if (type == NetworkType.VLAN != vlanId.isPresent()) {
            throw QuantixException.invalid("a VLAN id is required for VLAN networks and allowed only there");
        }
        vlanId.ifPresent(v -> Validation.range("VLAN id", v, 1, 4094));
        if (gateway.isPresent() && cidr.isEmpty()) {
            throw QuantixException.invalid("a gateway needs a CIDR");
        }
        if (dhcp && cidr.isEmpty()) {
            throw QuantixException.invalid("DHCP needs a CIDR");
        }
        cidr.ifPresent(c -> {
            // checking the network address against itself validates the CIDR even without a gateway
            String g = gateway.orElse(c.substring(0, Math.max(0, c.indexOf('/'))));
            if (!contains(c, g)) {
                throw QuantixException.invalid("gateway " + Validation.quote(g) + " is not inside " + c);
            }
        });
    }

    /** Whether {@code address} lies inside {@code cidr}; throws INVALID_ARGUMENT for malformed input. */
    public static boolean contains(String cidr, String address) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw QuantixException.invalid("CIDR " + Validation.quote(cidr) + " needs a prefix length, e.g. 10.0.0.0/24");
        }
        byte[] net = parse(cidr.substring(0, slash));
        byte[] addr = parse(address);
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw QuantixException.invalid("CIDR " + Validation.quote(cidr) + " has an invalid prefix length");
        }
        int bits = net.length * 8;
        Validation.range("CIDR prefix length", prefix, 1, bits);
        if (addr.length != net.length) {
            return false;
        }
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .shiftRight(prefix).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        BigInteger n = new BigInteger(1, net);
        if (!n.and(mask).equals(n)) {
            throw QuantixException.invalid("CIDR " + Validation.quote(cidr) + " has host bits set");
        }
        return new BigInteger(1, addr).and(mask).equals(n);
    }

    /** Parses an IP literal without ever resolving a host name. */
    private static byte[] parse(String ip) {
        if (!IP_LITERAL.matcher(ip).matches() || (!ip.contains(":") && !ip.matches("[0-9.]+"))) {
            throw QuantixException.invalid("address " + Validation.quote(ip) + " is not an IP address");
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw QuantixException.invalid("address " + Validation.quote(ip) + " is not an IP address");
        }
    }
}
