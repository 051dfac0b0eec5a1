package io.quantix.scheduler;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;

/**
 * How placement decides.
 *
 * @param cpuOvercommit vCPUs a node may allocate per physical CPU, a multiple of 0.01; a node takes
 *        {@code floor(cpus * ratio)}
 * @param memoryOvercommit memory a node may allocate per byte it has, a multiple of 0.01 (below 1 keeps a reserve
 *        for the host)
 * @param strategy spread or pack
 * @param cpuWeight weight of the CPU headroom in a node's score (and of CPU use in DRS' imbalance)
 * @param memoryWeight weight of the memory headroom (and of memory use in DRS' imbalance)
 */
public record Policy(double cpuOvercommit, double memoryOvercommit, Strategy strategy, double cpuWeight,
        double memoryWeight) {
    /** The largest overcommit accepted: beyond it a ratio is a typo, not a policy. */
    public static final double MAX_OVERCOMMIT = 64;

    public Policy {
        ratio("CPU overcommit", cpuOvercommit);
        ratio("memory overcommit", memoryOvercommit);
        Validation.required("strategy", strategy);
        weight("CPU weight", cpuWeight);
        weight("memory weight", memoryWeight);
        if (cpuWeight + memoryWeight == 0) {
            throw QuantixException.invalid("the CPU and memory weights are both 0: give at least one a positive weight");
        }
    }

    private static void ratio(String what, double value) {
        if (!(value >= 0.01 && value <= MAX_OVERCOMMIT)) {
            throw QuantixException.invalid(what + " " + value + " is out of range [0.01, " + MAX_OVERCOMMIT + "]");
        }
        if (Math.abs(value * 100 - Math.rint(value * 100)) > 1e-6) {
            throw QuantixException.invalid(what + " " + value + " has more than two decimals");
        }
    }

    private static void weight(String what, double value) {
        if (!(value >= 0 && value <= 1000)) {
            throw QuantixException.invalid(what + " " + value + " is out of range [0, 1000]");
        }
    }

    /** CPU overcommit 4, memory 1 (no overcommit), spread, CPU and memory weighed alike. */
    public static Policy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts from {@link #defaults()}. */
    public static final class Builder {
        private double cpuOvercommit = 4;
        private double memoryOvercommit = 1;
        private Strategy strategy = Strategy.SPREAD;
        private double cpuWeight = 1;
        private double memoryWeight = 1;

        private Builder() {
        }

        public Builder cpuOvercommit(double value) { cpuOvercommit = value; return this; }
        public Builder memoryOvercommit(double value) { memoryOvercommit = value; return this; }
        public Builder strategy(Strategy value) { strategy = value; return this; }
        public Builder cpuWeight(double value) { cpuWeight = value; return this; }
        public Builder memoryWeight(double value) { memoryWeight = value; return this; }

        public Policy build() {
            return new Policy(cpuOvercommit, memoryOvercommit, strategy, cpuWeight, memoryWeight);
        }
    }
}
