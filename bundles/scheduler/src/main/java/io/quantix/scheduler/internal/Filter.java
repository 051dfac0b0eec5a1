package io.quantix.scheduler.internal;

/** The filters a node must pass to take a guest, in the order they are tried: a node is excluded by the first it fails. */
public enum Filter {
    UNREACHABLE,
    MAINTENANCE,
    BACKEND,
    LABELS,
    POOLS,
    NETWORKS,
    ANTI_AFFINITY,
    AFFINITY,
    // capacity last, so "lack memory" counts nodes that would otherwise fit and "most free" means something
    CPU,
    MEMORY
}
