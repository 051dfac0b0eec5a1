package io.quantix.api;

/**
 * What the cluster does when the VM's node fails.
 *
 * @param enabled restart the VM elsewhere
 * @param restartPriority higher restarts first, 0..1000
 */
public record HaPolicy(boolean enabled, int restartPriority) {
    public static final HaPolicy DISABLED = new HaPolicy(false, 0);

    public HaPolicy {
        Validation.range("HA restart priority", restartPriority, 0, 1000);
    }
}
