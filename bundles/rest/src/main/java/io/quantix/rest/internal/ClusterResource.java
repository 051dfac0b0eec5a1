package io.quantix.rest.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.JoinAddress;
import io.quantix.api.cluster.JoinToken;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /cluster}: this node's cluster, its join tokens, joining and leaving, every VM of the cluster and the DRS plan
 * (manual: shown, never applied here). The cluster is a feature of its own: without
 * it these answer 503 (BACKEND_UNAVAILABLE) and every other route works as before.
 */
final class ClusterResource {
    record CreateRequest(String name) {
    }

    /** {@code address} is a member's {@code HOST[:PORT]}, as the shell takes it. */
    record JoinRequest(String address, String token) {
        @Override
        public String toString() {
            return "JoinRequest[address=" + address + "]";
        }
    }

    private final Supplier<Optional<ClusterService>> cluster;

    ClusterResource(Supplier<Optional<ClusterService>> cluster) {
        this.cluster = cluster;
    }

    List<Route> routes() {
        return List.of(
                Route.secured("GET", "/cluster", c -> Reply.ok(service().status())),
                Route.secured("POST", "/cluster", c -> {
                    JoinToken token = service().create(c.body(CreateRequest.class).name());
                    return Reply.created(RestServer.BASE + "/cluster", token);
                }),
                Route.secured("POST", "/cluster/tokens", c -> Reply.created(RestServer.BASE + "/cluster", service().newJoinToken())),
                Route.secured("POST", "/cluster/join", c -> {
                    JoinRequest request = c.body(JoinRequest.class);
                    JoinAddress at = JoinAddress.parse(request.address());
                    if (request.token() == null) {
                        throw QuantixException.invalid("'token' is required");
                    }
                    ClusterStatus status = service().join(at.host(), at.port(), request.token());
                    return Reply.ok(status);
                }),
                Route.secured("DELETE", "/cluster/members/self", c -> {
                    service().leave();
                    return Reply.noContent();
                }),
                Route.secured("GET", "/cluster/vms", c -> Reply.ok(Page.of(service().vms(), c))),
                Route.secured("GET", "/cluster/drs/plan", c -> Reply.ok(service().drsPlan())));
    }

    private ClusterService service() {
        return cluster.get().orElseThrow(ClusterService::notInstalled);
    }
}
