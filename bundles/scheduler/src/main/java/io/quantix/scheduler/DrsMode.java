package io.quantix.scheduler;

/** What the caller does with a DRS plan. */
public enum DrsMode {
    /** No plan: DRS only measures the imbalance. */
    OFF,
    /** The plan is shown; a person applies it. */
    MANUAL,
    /** The caller applies the plan as it comes. */
    AUTOMATIC
}
