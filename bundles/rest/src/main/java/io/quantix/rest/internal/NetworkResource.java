package io.quantix.rest.internal;

import io.quantix.api.Network;
import io.quantix.api.NetworkSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.Validation;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.RouterService;
import io.quantix.api.service.SecurityGroupService;
import java.util.List;
import java.util.Optional;

/** {@code /networks}, {@code /security-groups}, {@code /routers}: thin adapters over their services. */
final class NetworkResource {
    /**
     * A security group as JSON: its rules in their text form ({@code "tcp:5432 from tag:role=web"}), the same the
     * shell takes and the cfg file holds, so one grammar serves everywhere.
     */
    record SecurityGroupBody(String name, String appliesTo, List<String> rules) {
        static SecurityGroupBody of(SecurityGroup g) {
            return new SecurityGroupBody(g.name(), g.appliesTo(), g.rules().stream().map(SecurityRule::toString).toList());
        }

        SecurityGroup toGroup() {
            List<String> text = Optional.ofNullable(rules).orElse(List.of());
            return new SecurityGroup(name, appliesTo, Validation.list("rules", text).stream().map(SecurityRule::parse).toList());
        }
    }

    /** A router to create: everything but the name and networks may be left out. */
    record RouterRequest(String name, List<String> networks, Router.Uplink uplink, List<Router.FloatingIp> floatingIps,
            List<Router.LoadBalancer> loadBalancers) {
        Router toRouter() {
            return new Router(name, Validation.required("networks", networks), Optional.ofNullable(uplink),
                    Optional.ofNullable(floatingIps).orElse(List.of()), Optional.ofNullable(loadBalancers).orElse(List.of()));
        }
    }

    private final NetworkService networks;
    private final SecurityGroupService groups;
    private final RouterService routers;

    NetworkResource(NetworkService networks, SecurityGroupService groups, RouterService routers) {
        this.networks = networks;
        this.groups = groups;
        this.routers = routers;
    }

    List<Route> routes() {
        return List.of(
                Route.secured("GET", "/networks", c -> Reply.ok(Page.of(networks.list(), c))),
                Route.secured("POST", "/networks", c -> {
                    Network network = networks.create(c.body(NetworkSpec.class));
                    return Reply.created(RestServer.BASE + "/networks/" + network.spec().name(), network);
                }),
                Route.secured("GET", "/networks/{name}", c -> Reply.ok(networks.get(c.name("name", "network")))),
                Route.secured("DELETE", "/networks/{name}", c -> {
                    networks.delete(c.name("name", "network"));
                    return Reply.noContent();
                }),
                Route.secured("GET", "/security-groups",
                        c -> Reply.ok(Page.of(groups.list().stream().map(SecurityGroupBody::of).toList(), c))),
                Route.secured("POST", "/security-groups", c -> {
                    SecurityGroup group = c.body(SecurityGroupBody.class).toGroup();
                    // the service's put also replaces; a create must not overwrite another client's group
                    if (groups.list().stream().anyMatch(g -> g.name().equals(group.name()))) {
                        throw QuantixException.alreadyExists("security group", group.name());
                    }
                    return Reply.created(RestServer.BASE + "/security-groups/" + group.name(), SecurityGroupBody.of(groups.put(group)));
                }),
                Route.secured("GET", "/security-groups/{name}",
                        c -> Reply.ok(SecurityGroupBody.of(groups.get(c.name("name", "security group"))))),
                Route.secured("DELETE", "/security-groups/{name}", c -> {
                    groups.delete(c.name("name", "security group"));
                    return Reply.noContent();
                }),
                Route.secured("GET", "/routers", c -> Reply.ok(Page.of(routers.list(), c))),
                Route.secured("POST", "/routers", c -> {
                    Router router = c.body(RouterRequest.class).toRouter();
                    if (routers.list().stream().anyMatch(r -> r.name().equals(router.name()))) {
                        throw QuantixException.alreadyExists("router", router.name());
                    }
                    return Reply.created(RestServer.BASE + "/routers/" + router.name(), routers.put(router));
                }),
                Route.secured("GET", "/routers/{name}", c -> Reply.ok(routers.get(c.name("name", "router")))),
                Route.secured("DELETE", "/routers/{name}", c -> {
                    routers.delete(c.name("name", "router"));
                    return Reply.noContent();
                }));
    }
}
