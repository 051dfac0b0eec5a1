package io.quantix.scheduler;

import io.quantix.api.Validation;

/**
 * One live migration DRS proposes.
 *
 * @param from the node id the guest runs on
 * @param to the node id it goes to, one that passes every placement filter for it
 * @param imbalanceBefore the imbalance before this move (after the plan's earlier moves)
 * @param imbalanceAfter the imbalance after it
 * @param reason why, for the event log and the person who applies a manual plan
 */
public record Move(String guest, String from, String to, double imbalanceBefore, double imbalanceAfter, String reason) {
    public Move {
        Validation.required("guest", guest);
        Validation.required("from", from);
        Validation.required("to", to);
        Validation.required("reason", reason);
    }
}
