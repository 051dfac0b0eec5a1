package io.quantix.rest.internal;

import io.quantix.api.Network;
import io.quantix.api.NetworkSpec;
import io.quantix.api.service.NetworkService;
import java.util.List;

/** {@code /networks}: a thin adapter over {@link NetworkService}. */
final class NetworkResource {
    private final NetworkService networks;

    NetworkResource(NetworkService networks) {
        this.networks = networks;
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
                }));
    }
}
