package io.quantix.api;

/** What a user can ask of a VM's power. */
public enum PowerAction {
    START,
    /** Graceful: ACPI shutdown request; the guest decides when it is off. */
    SHUTDOWN,
    /** Pulls the plug. */
    FORCE_STOP,
    REBOOT, PAUSE, RESUME
}
