package io.quantix.api;

/**
 * Counters of one NIC of a running VM since it started, as the host sees them.
 *
 * @param device the host-side interface ({@code vnet3}): it changes with every start of the VM
 */
public record NicCounters(String device, long rxBytes, long txBytes, long rxPackets, long txPackets) {
    public NicCounters {
        Validation.required("device", device);
    }
}
