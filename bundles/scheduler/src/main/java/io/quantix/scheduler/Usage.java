package io.quantix.scheduler;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;

/**
 * What a node or a guest uses, measured (e.g. the mean over the metrics history's last window), not allocated.
 *
 * @param cpuCores CPU time per second: 1.5 is one and a half cores busy
 * @param memoryBytes memory in use
 */
public record Usage(double cpuCores, long memoryBytes) {
    public Usage {
        if (!(cpuCores >= 0 && cpuCores <= 1 << 20)) {
            throw QuantixException.invalid("CPU use " + cpuCores + " is out of range [0, " + (1 << 20) + "] cores");
        }
        Validation.range("memory use (bytes)", memoryBytes, 0, Long.MAX_VALUE / 128);
    }
}
