package io.quantix.api.service;

import io.quantix.api.HistoryRange;
import io.quantix.api.MetricsHistory;
import io.quantix.api.ScrapeToken;
import java.util.List;

/** The node's metrics: the Prometheus exposition, scrape tokens, the history the console and the cluster read. */
public interface MetricsService {

    /** The node's CPU, memory, VMs by state and pools over the range. */
    MetricsHistory nodeHistory(HistoryRange range);

    /**
     * One VM's CPU, memory, disk and network rates over the range; NOT_FOUND if the node has no such VM. A VM the
     * node had no room to keep a history for has no points.
     */
    MetricsHistory vmHistory(String vm, HistoryRange range);

    /**
     * The Prometheus text exposition (format 0.0.4) of the node, its VMs and the APIs, for a valid scrape token;
     * UNAUTHENTICATED for any other.
     */
    String scrape(String scrapeToken);

    /** A new scrape token; its secret is in this answer only. */
    ScrapeToken createScrapeToken(String description);

    /** Every scrape token, without secrets, oldest first. */
    List<ScrapeToken> scrapeTokens();

    /** NOT_FOUND if no token has that id. */
    void revokeScrapeToken(String id);

    /**
     * Counts one API request in the latency histogram.
     *
     * @param api {@code rest} or {@code grpc}
     * @param method the route template ({@code GET /vms/{name}}) or the gRPC method, never a raw path
     * @param code the HTTP status or the gRPC status code
     */
    void recordRequest(String api, String method, String code, long nanos);
}
