package io.quantix.api;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A logical router between networks. On each network it takes that network's gateway address. An uplink
 * (a port with an address on another network, usually the physical one) gives SNAT for the networks behind it,
 * floating IPs (one uplink address mapped to one VM, both ways) and L4 load balancers.
 */
public record Router(String name, List<String> networks, Optional<Uplink> uplink, List<FloatingIp> floatingIps,
        List<LoadBalancer> loadBalancers) {
    public static final int MAX_ITEMS = 256;

    /**
     * @param address the router's IPv4 address on the uplink network
     * @param snat whether the networks behind the router reach out as this address
     */
    public record Uplink(String network, String address, boolean snat) {
        public Uplink {
            Validation.name("uplink network", network);
            Validation.ipv4("uplink address", address);
        }
    }

    /** An uplink address that stands for one VM (its NIC on one of the router's networks). */
    public record FloatingIp(String address, String vm) {
        public FloatingIp {
            Validation.ipv4("floating IP", address);
            Validation.name("VM", vm);
        }
    }

    public enum Protocol { TCP, UDP }

    /** An address and port of a load balancer's backend. */
    public record Member(String address, int port) {
        public Member {
            Validation.ipv4("member address", address);
            Validation.range("member port", port, 1, 65535);
        }

        /** {@code 10.0.0.5:80}, the form the shell takes. */
        public static Member parse(String text) {
            int colon = text == null ? -1 : text.lastIndexOf(':');
            if (colon < 0) {
                throw QuantixException.invalid("member " + Validation.quote(text) + " is invalid: use ADDRESS:PORT");
            }
            try {
                return new Member(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw QuantixException.invalid("member " + Validation.quote(text) + " has an invalid port");
            }
        }

        @Override
        public String toString() {
            return address + ":" + port;
        }
    }

    /** An L4 virtual IP and port spread over members. */
    public record LoadBalancer(String name, Protocol protocol, String vip, int port, List<Member> members) {
        public LoadBalancer {
            Validation.name("load balancer", name);
            Validation.required("protocol", protocol);
            Validation.ipv4("VIP", vip);
            Validation.range("VIP port", port, 1, 65535);
            members = Validation.list("members", members);
            Validation.range("number of members", members.size(), 1, MAX_ITEMS);
        }

        public String protocolName() {
            return protocol.name().toLowerCase(Locale.ROOT);
        }
    }

    public Router {
        Validation.name("router", name);
        networks = Validation.list("networks", networks);
        networks.forEach(n -> Validation.name("network", n));
        Validation.range("number of networks", networks.size(), 1, MAX_ITEMS);
        Validation.required("uplink", uplink);
        floatingIps = Validation.list("floating IPs", floatingIps);
        loadBalancers = Validation.list("load balancers", loadBalancers);
        if (new HashSet<>(networks).size() != networks.size()) {
            throw QuantixException.invalid("router " + Validation.quote(name) + " lists a network twice");
        }
        if (uplink.isPresent() && networks.contains(uplink.get().network())) {
            throw QuantixException.invalid("the uplink network " + Validation.quote(uplink.get().network())
                    + " cannot also be one of the router's networks");
        }
        if ((!floatingIps.isEmpty() || !loadBalancers.isEmpty() || uplink.map(Uplink::snat).orElse(false)) && uplink.isEmpty()) {
            throw QuantixException.invalid("SNAT, floating IPs and load balancers need an uplink");
        }
        if (floatingIps.stream().map(FloatingIp::address).distinct().count() != floatingIps.size()
                || loadBalancers.stream().map(LoadBalancer::name).distinct().count() != loadBalancers.size()) {
            throw QuantixException.invalid("router " + Validation.quote(name) + " lists a floating IP or load balancer twice");
        }
        Validation.range("number of floating IPs", floatingIps.size(), 0, MAX_ITEMS);
        Validation.range("number of load balancers", loadBalancers.size(), 0, MAX_ITEMS);
    }
}
