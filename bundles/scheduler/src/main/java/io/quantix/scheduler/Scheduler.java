package io.quantix.scheduler;

import io.quantix.api.Validation;
import io.quantix.scheduler.internal.Fit;
import io.quantix.scheduler.internal.Refusal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places guests: the filters drop every node that cannot run the guest (unreachable, in maintenance, without its
 * backend, labels, pools or networks, against its anti-affinity or affinity groups, without the vCPUs or memory the
 * overcommit ratios leave), then the weights pick one of the rest: the most headroom left for
 * {@link Strategy#SPREAD}, the least for {@link Strategy#PACK}, equal scores going to the lowest node id. Scores
 * are compared in billionths, so that rounding never decides between two nodes. The answer depends on the input
 * only, not on the order of the nodes.
 */
public final class Scheduler {
    private Scheduler() {
    }

    /**
     * The node for a guest that is not placed yet.
     *
     * @throws io.quantix.api.QuantixException INSUFFICIENT_CAPACITY when no node passes the filters, saying which
     *         excluded how many nodes; ALREADY_EXISTS when the guest is placed already
     */
    public static Node place(ClusterState state, Guest guest, Policy policy) {
        Validation.required("guest", guest);
        Fit fit = new Fit(Validation.required("state", state), Validation.required("policy", policy), List.of(guest));
        return state.nodes().get(choose(fit, guest, policy.strategy()));
    }

    /**
     * Places the guests one after the other, in the order given (put the largest first for the tightest fit), each
     * seeing the ones before it. All or nothing: when one does not fit, the exception says which and why.
     */
    public static Placements placeAll(ClusterState state, List<Guest> guests, Policy policy) {
        List<Guest> batch = Validation.list("guests", guests);
        Fit fit = new Fit(Validation.required("state", state), Validation.required("policy", policy), batch);
        Map<String, String> nodeByGuest = new LinkedHashMap<>();
        Map<String, List<Guest>> added = new HashMap<>();
        for (Guest g : batch) {
            int i = choose(fit, g, policy.strategy());
            fit.move(g, -1, i);
            String id = fit.node(i).id();
            nodeByGuest.put(g.name(), id);
            added.computeIfAbsent(id, k -> new ArrayList<>()).add(g);
        }
        return new Placements(state.changed(Map.of(), added), nodeByGuest);
    }

    private static int choose(Fit fit, Guest g, Strategy strategy) {
        int best = -1;
        long bestScore = 0;
        for (int i = 0; i < fit.size(); i++) {
            if (fit.check(g, i, -1) != null) {
                continue;
            }
            long score = Fit.quantized(fit.score(g, i));
            boolean better = strategy == Strategy.SPREAD ? score > bestScore : score < bestScore;
            if (best < 0 || better
                    || (score == bestScore && fit.node(i).id().compareTo(fit.node(best).id()) < 0)) {
                best = i;
                bestScore = score;
            }
        }
        if (best < 0) {
            throw Refusal.of(fit, g);
        }
        return best;
    }
}
