package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.HistoryRange;
import io.quantix.api.QuantixException;
import io.quantix.api.ScrapeToken;
import io.quantix.api.service.MetricsService;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus, behind a scrape token), the scrape tokens and the metrics history. The metrics
 * bundle is a feature of its own: without it these answer 503 and every other route works as before.
 */
final class MetricsResource {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Where Prometheus scrapes: at the root, as scrapers expect, not under the API's base. */
    static final String PATH = "/metrics";
    private static final String BEARER = "Bearer ";

    record TokenRequest(String description) {
    }

    private final Supplier<Optional<MetricsService>> metrics;

    MetricsResource(Supplier<Optional<MetricsService>> metrics) {
        this.metrics = metrics;
    }

    List<Route> routes() {
        return List.of(
                Route.root("GET", PATH, c -> new Reply(200, service().scrape(scrapeToken(c))
                        .getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", CONTENT_TYPE))),
                Route.secured("POST", "/metrics/tokens", c -> {
                    ScrapeToken token = service().createScrapeToken(c.body(TokenRequest.class).description());
                    return Reply.created(RestServer.BASE + "/metrics/tokens/" + token.id(), token);
                }),
                Route.secured("GET", "/metrics/tokens", c -> Reply.ok(service().scrapeTokens())),
                Route.secured("DELETE", "/metrics/tokens/{id}", c -> {
                    service().revokeScrapeToken(c.name("id", "scrape token"));
                    return Reply.noContent();
                }),
                Route.secured("GET", "/node/metrics/history", c -> Reply.ok(service().nodeHistory(range(c)))),
                Route.secured("GET", "/vms/{name}/metrics/history",
                        c -> Reply.ok(service().vmHistory(c.name("name", "VM"), range(c)))));
    }

    private MetricsService service() {
        return metrics.get().orElseThrow(() -> QuantixException.backendUnavailable("metrics", "quantix-metrics"));
    }

    private static HistoryRange range(Call c) {
        return HistoryRange.parse(c.query("range").orElse(HistoryRange.HOUR.label()));
    }

    /** Prometheus sends the token as {@code authorization: credentials}, i.e. a bearer header. */
    private static String scrapeToken(Call c) {
        String header = c.header("Authorization").orElse("");
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "an 'Authorization: Bearer <scrape token>' header"
                    + " is required; create a token with POST " + RestServer.BASE + "/metrics/tokens");
        }
        return header.substring(BEARER.length()).strip();
    }
}
