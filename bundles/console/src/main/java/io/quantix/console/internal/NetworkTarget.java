package io.quantix.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the console's network settings are applied, said explicitly so that a node on a machine that is not
 * Quantix-OS never rewires its host by accident: {@code none} (recorded in network.yaml only: the default off
 * Quantix-OS), {@code host} (the machine's own interfaces: Quantix-OS), or {@code netns:NAME} (a network namespace:
 * what the tests use). Every change goes through {@code ip} with argv, never a shell.
 */
final class NetworkTarget {
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An interface as the wizard lists it. */
    record Interface(String name, String state, String mac, List<String> addresses) {
    }

    /** What applying did: whether the gateway answered, and what to show. */
    record Outcome(boolean ok, String message) {
    }

    private final String spec;
    private final String netns;

    private NetworkTarget(String spec, String netns) {
        this.spec = spec;
        this.netns = netns;
    }

    static NetworkTarget parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.isEmpty() || s.equals("none")) {
            return new NetworkTarget("none", null);
        }
        if (s.equals("host")) {
            return new NetworkTarget("host", null);
        }
        if (s.startsWith("netns:") && NETNS.matcher(s.substring(6)).matches()) {
            return new NetworkTarget(s, s.substring(6));
        }
        throw QuantixException.invalid("networkTarget " + Validation.quote(s) + " is invalid: use none, host or netns:NAME");
    }

    boolean applies() {
        return !spec.equals("none");
    }

    @Override
    public String toString() {
        return spec;
    }

    /** The interfaces of the target (of the host, read only, for {@code none}), loopback left out. */
    List<Interface> interfaces() {
        JsonNode links = json(ip("-j", "addr", "show"));
        List<Interface> out = new ArrayList<>();
        for (JsonNode link : links) {
            String name = link.path("ifname").asText();
            if (name.isEmpty() || "loopback".equals(link.path("link_type").asText())) {
                continue;
            }
            List<String> addresses = new ArrayList<>();
            for (JsonNode a : link.path("addr_info")) {
                if ("inet".equals(a.path("family").asText())) {
                    addresses.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
                }
            }
            out.add(new Interface(name, link.path("operstate").asText("UNKNOWN"), link.path("address").asText("-"),
                    addresses));
        }
        return out;
    }

    /**
     * Applies the plan, then checks it: the gateway must answer a ping (3 tries of 2 s). On any failure the interface
     * gets back exactly the addresses and default route it had, and a VLAN link made for the plan is removed.
     */
    Outcome apply(NetworkPlan plan) {
        if (!applies()) {
            return new Outcome(true, "recorded only (not Quantix-OS: networkTarget=none)");
        }
        if (plan.dhcp()) {
            return new Outcome(true, "DHCP recorded: Quantix-OS asks for the lease at boot");
        }
        List<String> oldAddresses = addressesOf(plan.device());
        String oldGateway = defaultGateway();
        boolean madeVlan = false;
        try {
            if (plan.vlan() != 0 && !exists(plan.link())) {
                ipOk("link", "add", "link", plan.device(), "name", plan.link(), "type", "vlan", "id",
                        String.valueOf(plan.vlan()));
                madeVlan = true;
            }
            ipOk("link", "set", plan.device(), "up");
            ipOk("link", "set", plan.link(), "up");
            ipOk("addr", "flush", "dev", plan.link());
            ipOk("addr", "add", plan.cidr().orElseThrow(), "dev", plan.link());
            ipOk("route", "replace", "default", "via", plan.gateway(), "dev", plan.link());
            for (int attempt = 0; attempt < 3; attempt++) {
                if (run(List.of("ping", "-c", "1", "-W", "2", plan.gateway())).exitCode() == 0) {
                    return new Outcome(true, "applied: gateway " + plan.gateway() + " answered");
                }
            }
            rollBack(plan, oldAddresses, oldGateway, madeVlan);
            return new Outcome(false, "gateway " + plan.gateway() + " did not answer 3 pings: the previous"
                    + " settings are back");
        } catch (QuantixException e) {
            rollBack(plan, oldAddresses, oldGateway, madeVlan);
            return new Outcome(false, "not applied (" + e.getMessage() + "): the previous settings are back");
        }
    }

    private void rollBack(NetworkPlan plan, List<String> oldAddresses, String oldGateway, boolean madeVlan) {
        if (madeVlan) {
            ip("link", "del", plan.link());
        } else {
            ip("addr", "flush", "dev", plan.link());
        }
        for (String a : oldAddresses) {
            ip("addr", "add", a, "dev", plan.device());
        }
        if (oldGateway != null) {
            ip("route", "replace", "default", "via", oldGateway);
        }
    }

    private List<String> addressesOf(String device) {
        return interfaces().stream().filter(i -> i.name().equals(device)).findFirst()
                .map(Interface::addresses).orElseThrow(() -> QuantixException.invalid("interface " + device
                        + " does not exist here"));
    }

    private String defaultGateway() {
        for (JsonNode route : json(ip("-j", "route", "show", "default"))) {
            if (route.hasNonNull("gateway")) {
                return route.get("gateway").asText();
            }
        }
        return null;
    }

    private boolean exists(String link) {
        return interfaces().stream().anyMatch(i -> i.name().equals(link));
    }

    private void ipOk(String... args) {
        HostCommand.Result r = ipResult(args);
        if (r.exitCode() != 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "ip " + String.join(" ", args) + ": " + r.firstErrorLine());
        }
    }

    private String ip(String... args) {
        return ipResult(args).stdout();
    }

    private HostCommand.Result ipResult(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        if (netns != null) {
            argv.addAll(List.of("-n", netns));
        }
        argv.addAll(List.of(args));
        return HostCommand.execute(argv, TIMEOUT);
    }

    /** A command inside the target's namespace (ping). */
    private HostCommand.Result run(List<String> command) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.addAll(command);
        return HostCommand.execute(argv, TIMEOUT);
    }

    private static JsonNode json(String text) {
        try {
            return text.isBlank() ? JSON.createArrayNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "ip printed what is not JSON: " + e.getMessage(), e);
        }
    }
}
