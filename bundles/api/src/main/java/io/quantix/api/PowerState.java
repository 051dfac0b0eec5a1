package io.quantix.api;

/** A VM's power state as the node reports it. */
public enum PowerState {
    RUNNING, PAUSED, SHUTTING_DOWN, STOPPED, CRASHED,
    /** The VM's hypervisor backend is not installed right now: the VM exists but cannot be reached. */
    UNAVAILABLE
}
