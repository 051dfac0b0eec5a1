package io.quantix.api.cluster;

/** What a member's ZooKeeper server does in the ensemble. */
public enum MemberRole {
    /** Votes: one of the first three (later five) members. */
    PARTICIPANT,
    /** Follows the ensemble without voting: adds read capacity, not quorum size. */
    OBSERVER,
    /** Runs no ZooKeeper server: the cluster uses an external ensemble. */
    CLIENT
}
