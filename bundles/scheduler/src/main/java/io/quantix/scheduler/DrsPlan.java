package io.quantix.scheduler;

import io.quantix.api.Validation;
import java.util.List;

/**
 * The migrations DRS proposes, in the order to run them.
 *
 * @param mode what the caller does with them (copied from the policy); OFF plans carry no move
 * @param imbalanceBefore the imbalance now
 * @param imbalanceAfter the imbalance once every move is done (equal to before when there is none)
 * @param summary one line for a person: what the plan gains, or why it has no move
 */
public record DrsPlan(DrsMode mode, double imbalanceBefore, double imbalanceAfter, List<Move> moves, String summary) {
    public DrsPlan {
        Validation.required("mode", mode);
        moves = Validation.list("moves", moves);
        Validation.required("summary", summary);
    }
}
