package io.quantix.api;

import java.util.List;

/**
 * One measured quantity over time, oldest point first; a step without a sample (the node was down, the VM was
 * not running) has no point.
 *
 * @param name what is measured: {@code cpu_percent}, {@code memory_bytes}, {@code disk_read_bytes_per_second}, ...
 */
public record MetricSeries(String name, List<MetricPoint> points) {
    public MetricSeries {
        Validation.required("series name", name);
        points = Validation.list("points", points);
    }
}
