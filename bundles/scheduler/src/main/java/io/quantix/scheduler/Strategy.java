package io.quantix.scheduler;

/** How the weights choose among the nodes that pass every filter. */
public enum Strategy {
    /** The node with the most headroom left: load spreads out, a failure hits few guests. */
    SPREAD,
    /** The node with the least headroom left that still fits: nodes fill up one by one, empty ones can be powered off. */
    PACK
}
