package io.quantix.api.cluster;

import io.quantix.api.Validation;

/**
 * One live migration a DRS plan proposes.
 *
 * @param from the name of the node the VM runs on
 * @param to the name of the node it would go to
 * @param imbalanceBefore the cluster's imbalance before this move (after the plan's earlier ones)
 * @param reason why, for the person who applies the plan
 */
public record DrsMove(String vm, String from, String to, double imbalanceBefore, double imbalanceAfter, String reason) {
    public DrsMove {
        Validation.required("VM", vm);
        Validation.required("from", from);
        Validation.required("to", to);
        Validation.required("reason", reason);
    }
}
