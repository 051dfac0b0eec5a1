package io.quantix.api;

/** Whether a pool or network can be used now. */
public enum Availability {
    AVAILABLE,
    /** Its backend is not installed: the definition is kept and comes back with the backend. */
    UNAVAILABLE,
    /** Its backend is installed but reports a problem (see the object's message). */
    ERROR
}
