package io.quantix.scheduler;

import io.quantix.api.Validation;
import java.time.Instant;
import java.util.Map;

/**
 * What DRS measures from besides the cluster state: the load history and the migration log.
 *
 * @param nodeUsage each node's use by node id; a node without an entry counts as the sum of its guests' use
 * @param guestUsage each guest's use by guest name; a guest without an entry (no history yet) counts as using all
 *        it is allocated, the cautious guess
 * @param lastMoves when each guest last migrated, by guest name; one moved within the window stays put
 * @param now the time the plan is for, against which the window is measured
 */
public record DrsInput(Map<String, Usage> nodeUsage, Map<String, Usage> guestUsage, Map<String, Instant> lastMoves,
        Instant now) {
    public DrsInput {
        nodeUsage = Map.copyOf(Validation.required("node usage", nodeUsage));
        guestUsage = Map.copyOf(Validation.required("guest usage", guestUsage));
        lastMoves = Map.copyOf(Validation.required("last moves", lastMoves));
        Validation.required("now", now);
    }
}
