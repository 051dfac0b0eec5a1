package io.quantix.api;

import java.util.List;

/**
 * The recent history of the node or of one VM.
 *
 * @param subject {@code node} or the VM's name
 */
public record MetricsHistory(String subject, HistoryRange range, List<MetricSeries> series) {
    public MetricsHistory {
        Validation.required("subject", subject);
        Validation.required("range", range);
        series = Validation.list("series", series);
    }
}
