package io.quantix.api.agent;

/** What {@link GuestAgent#shutdown} asks of the guest OS. */
public enum ShutdownMode {
    POWERDOWN("powerdown"), HALT("halt"), REBOOT("reboot");

    private final String wire;

    ShutdownMode(String wire) {
        this.wire = wire;
    }

    /** The guest-shutdown mode argument. */
    public String wire() {
        return wire;
    }
}
