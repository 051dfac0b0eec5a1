package io.quantix.api;

/** How a person reaches a VM's console. */
public enum ConsoleType {
    /** Graphics over RFB, for any VNC viewer. */
    VNC,
    /** Graphics over SPICE (remote-viewer). */
    SPICE,
    /** The first serial port's output, as the node records it. */
    SERIAL
}
