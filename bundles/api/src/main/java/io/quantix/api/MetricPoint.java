package io.quantix.api;

import java.time.Instant;

/** One value of a series at the end of its step. */
public record MetricPoint(Instant at, double value) {
    public MetricPoint {
        Validation.required("time", at);
    }
}
