package io.quantix.api;

import java.time.Instant;

/** Counters of one VM at one instant; rates are the difference of two samples. */
public record VmMetrics(String vm, Instant at, long cpuTimeNanos, int vcpus, long memoryBytes,
        long diskReadBytes, long diskWriteBytes, long netRxBytes, long netTxBytes) {
    public VmMetrics {
        Validation.required("VM", vm);
        Validation.required("time", at);
    }
}
