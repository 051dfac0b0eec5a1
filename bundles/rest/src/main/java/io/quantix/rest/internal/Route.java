package io.quantix.rest.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One endpoint: method, path template under {@code /api/v1} (or the root) (segments like {@code {name}} capture)
 * and whether it needs a token.
 */
record Route(String method, String template, boolean authenticated, boolean root, Handler handler) {
    @FunctionalInterface
    interface Handler {
        Reply handle(Call call) throws IOException;
    }

    static Route open(String method, String template, Handler handler) {
        return new Route(method, template, false, false, handler);
    }

    /** An open route at the server's root instead of under {@code /api/v1}: {@code /metrics}, where Prometheus looks. */
    static Route root(String method, String template, Handler handler) {
        return new Route(method, template, false, true, handler);
    }

    static Route secured(String method, String template, Handler handler) {
        return new Route(method, template, true, false, handler);
    }

    List<String> segments() {
        return List.of(template.substring(1).split("/"));
    }

    /** The captured parameters when the decoded path segments fit this template. */
    Optional<Map<String, String>> match(List<String> path) {
        List<String> parts = segments();
        if (parts.size() != path.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new java.util.HashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.startsWith("{")) {
                params.put(part.substring(1, part.length() - 1), path.get(i));
            } else if (!part.equals(path.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}
