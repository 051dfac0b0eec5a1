package io.quantix.api.cluster;

/** Whether a member answers now, as the cluster sees it. */
public enum NodeState {
    /** Its ephemeral record exists: its ZooKeeper session is alive. */
    ONLINE,
    /** Its record is gone (stopped, cut off, or it left without cleaning up): what it owns is listed from its records. */
    UNREACHABLE
}
