package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The hand-written OpenAPI document and the route table describe exactly the same endpoints. */
class OpenApiTest {

    static Set<String> documented() throws Exception {
        JsonNode doc = Json.mapper().readTree(NodeResource.openApiDocument());
        assertEquals(RestServer.BASE, doc.get("servers").get(0).get("url").asText());
        Set<String> operations = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                // a path's own "servers" (/metrics lives at the root, not under /api/v1) is no operation
                .forEachRemaining(method -> {
                    if (!method.equals("servers")) {
                        operations.add(method.toUpperCase() + " " + path.getKey());
                    }
                }));
        return operations;
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
        List<Route> routes = new ArrayList<>();
        routes.addAll(new NodeResource(null).routes());
        routes.addAll(new AuthResource(null, null, null).routes());
        routes.addAll(new VmResource(null, null, null, null).routes());
        routes.addAll(new AgentResource(null).routes());
        routes.addAll(new StorageResource(null).routes());
        routes.addAll(new NetworkResource(null, null, null).routes());
        routes.addAll(new EventStream(null, 1, java.time.Duration.ofSeconds(1)).routes());
        routes.addAll(new MetricsResource(java.util.Optional::empty).routes());
        routes.addAll(new ClusterResource(java.util.Optional::empty).routes());
        routes.addAll(new ConsoleRelay(null, null, null).routes());
        Set<String> served = new TreeSet<>();
        routes.forEach(r -> served.add(r.method() + " " + r.template()));
        assertEquals(routes.size(), served.size(), "a route is registered twice");
        assertEquals(documented(), served);
    }
}
