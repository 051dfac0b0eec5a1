package io.quantix.api;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One inbound allowance of a {@link SecurityGroup}: traffic of a protocol (and for TCP/UDP a destination port
 * range) from a source, either an IPv4 CIDR or the VMs carrying a tag. Its text form, which {@link #parse}
 * reads and {@link #toString} writes, is {@code <protocol>[:<port>[-<port>]] from <cidr>|tag:<tag>}, e.g.
 * {@code tcp:22 from 0.0.0.0/0}, {@code tcp:5432 from tag:web}, {@code icmp from 10.0.0.0/8}.
 */
public record SecurityRule(Protocol protocol, Optional<PortRange> ports, Source source) {
    private static final Pattern TEXT = Pattern.compile(
            "(?<proto>[a-z]+)(?::(?<min>\\d{1,5})(?:-(?<max>\\d{1,5}))?)? from (?<src>\\S+)");

    public enum Protocol { TCP, UDP, ICMP, ANY }

    /** Destination ports {@code min..max}, both in 1..65535. */
    public record PortRange(int min, int max) {
        public PortRange {
            Validation.range("port", min, 1, 65535);
            Validation.range("port", max, 1, 65535);
            if (min > max) {
                throw QuantixException.invalid("port range " + min + "-" + max + " is empty: the first port is above the last");
            }
        }

        @Override
        public String toString() {
            return min == max ? Integer.toString(min) : min + "-" + max;
        }
    }

    /** Where allowed traffic comes from. */
    public sealed interface Source {
        /** An IPv4 network, e.g. {@code 0.0.0.0/0} for anywhere. */
        record Cidr(String cidr) implements Source {
            public Cidr {
                Validation.required("source CIDR", cidr);
                if (cidr.contains(":") || !cidr.contains("/")) {
                    throw QuantixException.invalid("source " + Validation.quote(cidr) + " is not an IPv4 CIDR such as 10.0.0.0/8");
                }
                // 0.0.0.0/0 is a valid source but NetworkSpec.contains accepts prefixes from 1 up
                if (!cidr.equals("0.0.0.0/0")) {
                    NetworkSpec.contains(cidr, cidr.substring(0, cidr.indexOf('/')));
                }
            }

            @Override
            public String toString() {
                return cidr;
            }
        }

        /** The VMs carrying this tag, wherever they are. */
        record Tag(String tag) implements Source {
            public Tag {
                Validation.tag(tag);
            }

            @Override
            public String toString() {
                return "tag:" + tag;
            }
        }
    }

    public SecurityRule {
        Validation.required("protocol", protocol);
        Validation.required("port range", ports);
        Validation.required("source", source);
        if (ports.isPresent() && protocol != Protocol.TCP && protocol != Protocol.UDP) {
            throw QuantixException.invalid("a port range needs protocol tcp or udp, not " + protocol.name().toLowerCase(Locale.ROOT));
        }
    }

    public static SecurityRule parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw QuantixException.invalid("rule " + Validation.quote(text)
                    + " is invalid: use <tcp|udp|icmp|any>[:PORT[-PORT]] from <CIDR|tag:TAG>, e.g. tcp:22 from 0.0.0.0/0");
        }
        Protocol protocol;
        try {
            protocol = Protocol.valueOf(m.group("proto").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw QuantixException.invalid("protocol " + Validation.quote(m.group("proto")) + " is not one of tcp, udp, icmp, any");
        }
        Optional<PortRange> ports = Optional.ofNullable(m.group("min")).map(min -> new PortRange(Integer.parseInt(min),
                Integer.parseInt(Optional.ofNullable(m.group("max")).orElse(min))));
        String src = text.strip().substring(text.strip().toLowerCase(Locale.ROOT).lastIndexOf(" from ") + 6);
        Source source = src.startsWith("tag:") ? new Source.Tag(src.substring(4)) : new Source.Cidr(src);
        return new SecurityRule(protocol, ports, source);
    }

    @Override
    public String toString() {
        return protocol.name().toLowerCase(Locale.ROOT) + ports.map(p -> ":" + p).orElse("") + " from " + source;
    }
}
