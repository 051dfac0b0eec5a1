package io.quantix.console.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The management network the wizard (or F2) chose: an interface, DHCP or a static address, and an optional VLAN.
 * Validated at construction, so what reaches {@code ip} or {@code network.yaml} is always well formed.
 */
record NetworkPlan(String device, boolean dhcp, String address, int prefix, String gateway, List<String> dns, int vlan) {
    NetworkPlan {
        Validation.interfaceName("interface", device);
        dns = List.copyOf(dns);
        if (vlan < 0 || vlan > 4094) {
            throw QuantixException.invalid("VLAN id " + vlan + " is out of range: use 1-4094, or none");
        }
        if (!dhcp) {
            Validation.ipv4("address", address);
            if (prefix < 1 || prefix > 32) {
                throw QuantixException.invalid("prefix /" + prefix + " is out of range: use 1-32");
            }
            Validation.ipv4("gateway", gateway);
            if (!sameNetwork(address, gateway, prefix)) {
                throw QuantixException.invalid("gateway " + gateway + " is not in " + address + "/" + prefix);
            }
        }
        dns.forEach(d -> Validation.ipv4("DNS server", d));
    }

    static NetworkPlan dhcp(String device, int vlan) {
        return new NetworkPlan(device, true, "", 0, "", List.of(), vlan);
    }

    /** "10.0.0.5/24" into address and prefix; INVALID_ARGUMENT with the reason otherwise. */
    static NetworkPlan fixed(String device, String cidr, String gateway, String dnsList, int vlan) {
        String[] parts = cidr.strip().split("/", -1);
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,2}")) {
            throw QuantixException.invalid("address " + Validation.quote(cidr) + " needs a prefix, such as 10.0.0.5/24");
        }
        List<String> dns = new ArrayList<>();
        for (String d : dnsList.split("[,\\s]+")) {
            if (!d.isBlank()) {
                dns.add(d.strip());
            }
        }
        return new NetworkPlan(device, false, parts[0], Integer.parseInt(parts[1]), gateway.strip(), dns, vlan);
    }

    /** The device addresses go on: the VLAN's own link when there is one. */
    String link() {
        return vlan == 0 ? device : device + "." + vlan;
    }

    Optional<String> cidr() {
        return dhcp ? Optional.empty() : Optional.of(address + "/" + prefix);
    }

    String describe() {
        String where = link() + (vlan == 0 ? "" : " (VLAN " + vlan + " on " + device + ")");
        return dhcp ? where + ", DHCP" : where + ", " + address + "/" + prefix + " via " + gateway
                + (dns.isEmpty() ? "" : ", DNS " + String.join(" ", dns));
    }

    /** network.yaml: the wizard's record, which Quantix-OS applies at boot. Every value passed validation above. */
    String yaml(String hostname, String appliedTo) {
        StringBuilder y = new StringBuilder("# Management network, written by the Quantix console\n");
        y.append("hostname: ").append(hostname).append('\n');
        y.append("interface: ").append(device).append('\n');
        y.append("vlan: ").append(vlan).append('\n');
        y.append("mode: ").append(dhcp ? "dhcp" : "static").append('\n');
        if (!dhcp) {
            y.append("address: ").append(address).append('/').append(prefix).append('\n');
            y.append("gateway: ").append(gateway).append('\n');
        }
        y.append("dns: [").append(String.join(", ", dns)).append("]\n");
        y.append("appliedTo: ").append(appliedTo).append('\n');
        return y.toString();
    }

    private static boolean sameNetwork(String a, String b, int prefix) {
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        return (toLong(a) & mask) == (toLong(b) & mask);
    }

    private static long toLong(String ip) {
        long v = 0;
        for (String octet : ip.split("\\.")) {
            v = (v << 8) | Integer.parseInt(octet);
        }
        return v;
    }
}
