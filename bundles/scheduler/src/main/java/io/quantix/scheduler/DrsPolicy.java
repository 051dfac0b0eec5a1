package io.quantix.scheduler;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.time.Duration;

/**
 * How DRS plans.
 *
 * @param threshold the least a plan must lower the imbalance by to be proposed at all (the imbalance is a weighted
 *        standard deviation of use ratios, see {@link Drs}). A deviation over many nodes moves little with each
 *        migration, so a large cluster wants a smaller threshold than the default, or more moves a plan
 * @param maxMoves the most migrations one plan proposes
 * @param window hysteresis: a guest that migrated less than this long ago is not moved again
 * @param placement the filters' overcommit ratios and the weights of CPU and memory in the imbalance
 */
public record DrsPolicy(DrsMode mode, double threshold, int maxMoves, Duration window, Policy placement) {
    public static final int MAX_MOVES = 10_000;

    public DrsPolicy {
        Validation.required("DRS mode", mode);
        if (!(threshold >= 0 && threshold <= 1)) {
            throw QuantixException.invalid("DRS threshold " + threshold + " is out of range [0, 1]");
        }
        Validation.range("DRS moves per plan", maxMoves, 1, MAX_MOVES);
        Validation.required("DRS window", window);
        if (window.isNegative()) {
            throw QuantixException.invalid("DRS window " + window + " is negative");
        }
        Validation.required("placement policy", placement);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Manual, threshold 0.01, 8 moves a plan, a window of one hour, the default placement policy. */
    public static final class Builder {
        private DrsMode mode = DrsMode.MANUAL;
        private double threshold = 0.01;
        private int maxMoves = 8;
        private Duration window = Duration.ofHours(1);
        private Policy placement = Policy.defaults();

        private Builder() {
        }

        public Builder mode(DrsMode value) { mode = value; return this; }
        public Builder threshold(double value) { threshold = value; return this; }
        public Builder maxMoves(int value) { maxMoves = value; return this; }
        public Builder window(Duration value) { window = value; return this; }
        public Builder placement(Policy value) { placement = value; return this; }

        public DrsPolicy build() {
            return new DrsPolicy(mode, threshold, maxMoves, window, placement);
        }
    }
}
