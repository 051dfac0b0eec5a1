package io.quantix.scheduler;

import io.quantix.api.Validation;
import java.util.List;

/**
 * The migrations DRS proposes, in the order to run them.
 *
 * @param mode what the caller does with them (copied from the policy); OFF plans carry no move
 * @param imbalanceBefore the imbalance now
 * @param imbalanceAfter the imbalance once every move is done (equal to before when there is none)
 */
public record DrsPlan(DrsMode mode, double imbalanceBefore, double imbalanceAfter, List<Move> moves) {
    public DrsPlan {
        Validation.required("mode", mode);
        moves = Validation.list("moves", moves);
    }
}
