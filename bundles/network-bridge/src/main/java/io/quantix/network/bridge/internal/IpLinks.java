package io.quantix.network.bridge.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The {@code ip link} calls of this driver, run with a command prefix that may select a network namespace. */
final class IpLinks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The facts about a link this driver decides on. */
    record Link(String name, Optional<String> kind, Optional<String> alias, boolean up) {
        boolean isBridge() {
            return kind.filter("bridge"::equals).isPresent();
        }
    }

    private final List<String> ip;

    /** @param ip the command that runs {@code ip}, e.g. {@code [ip]} or {@code [ip, -n, ns1]} */
    IpLinks(List<String> ip) {
        this.ip = List.copyOf(ip);
    }

    Optional<Link> find(String name) {
        List<String> argv = argv("-j", "-d", "link", "show", "dev", name);
        HostCommand.Result result = HostCommand.execute(argv, TIMEOUT);
        if (result.exitCode() != 0) {
            // HostCommand runs with LC_ALL=C, so this message is stable; any other failure is a real error
            if (result.stderr().contains("does not exist")) {
                return Optional.empty();
            }
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "ip failed: " + result.firstErrorLine());
        }
        return links(result.stdout()).stream().filter(l -> l.name().equals(name)).findFirst();
    }

    void addBridge(String name) {
        HostCommand.run(argv("link", "add", "name", name, "type", "bridge"));
    }

    void setAlias(String name, String alias) {
        HostCommand.run(argv("link", "set", "dev", name, "alias", alias));
    }

    void setUp(String name) {
        HostCommand.run(argv("link", "set", "dev", name, "up"));
    }

    void delete(String name) {
        HostCommand.run(argv("link", "del", "dev", name));
    }

    /** The names of the links enslaved to a bridge. */
    List<String> ports(String bridge) {
        return links(HostCommand.run(argv("-j", "link", "show", "master", bridge))).stream().map(Link::name).toList();
    }

    private List<String> argv(String... args) {
        return Stream.concat(ip.stream(), Stream.of(args)).toList();
    }

    private static List<Link> links(String json) {
        try {
            List<Link> links = new ArrayList<>();
            for (Object entry : JSON.readValue(json, List.class)) {
                Map<?, ?> link = (Map<?, ?>) entry;
                Optional<Map<?, ?>> info = Optional.ofNullable((Map<?, ?>) link.get("linkinfo"));
                links.add(new Link((String) link.get("ifname"),
                        info.map(i -> (String) i.get("info_kind")),
                        Optional.ofNullable((String) link.get("ifalias")),
                        Optional.ofNullable((List<?>) link.get("flags")).orElse(List.of()).contains("UP")));
            }
            return links;
        } catch (JsonProcessingException | ClassCastException | NullPointerException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "ip printed JSON this driver cannot read: "
                    + e.getMessage(), e);
        }
    }
}
