package io.quantix.rest.internal;

import io.quantix.api.service.NodeService;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** {@code /node}, {@code /health} and the OpenAPI document. */
final class NodeResource {
    private final NodeService node;
    private final byte[] openApi;

    NodeResource(NodeService node) {
        this.node = node;
        this.openApi = openApiDocument();
    }

    List<Route> routes() {
        return List.of(
                // no token and no node details: a load balancer or monitor may poll it
                Route.open("GET", "/health", c -> Reply.ok(Map.of("status", "UP"))),
                Route.open("GET", "/openapi.json", c -> new Reply(200, openApi, Map.of())),
                Route.secured("GET", "/node", c -> Reply.ok(node.info())),
                Route.secured("GET", "/node/backends", c -> Reply.ok(node.backends())));
    }

    static byte[] openApiDocument() {
        try (InputStream in = NodeResource.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the bundle");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.json", e);
        }
    }
}
