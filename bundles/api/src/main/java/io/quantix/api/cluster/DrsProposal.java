package io.quantix.api.cluster;

import io.quantix.api.Validation;
import java.util.List;

/**
 * A DRS plan in manual mode: the moves a person may apply (with {@code qx:vm-migrate}); nothing is moved by making it.
 *
 * @param imbalanceBefore the imbalance now (0 is even; see the scheduler's {@code Drs})
 * @param imbalanceAfter the imbalance once every move is done
 * @param moves in the order to run them; empty when no move gains enough
 * @param summary one line: what the plan gains, or why it has no move
 * @param basis what the plan was measured on, and what it left out (unreachable nodes, clashing names)
 */
public record DrsProposal(double imbalanceBefore, double imbalanceAfter, List<DrsMove> moves, String summary, String basis) {
    public DrsProposal {
        moves = List.copyOf(Validation.list("moves", moves));
        Validation.required("summary", summary);
        Validation.required("basis", basis);
    }
}
