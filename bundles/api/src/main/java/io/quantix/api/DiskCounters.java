package io.quantix.api;

/**
 * Counters of one disk of a running VM since it started.
 *
 * @param device the disk's target in the guest ({@code vda}, {@code sda})
 */
public record DiskCounters(String device, long readBytes, long writeBytes, long readRequests, long writeRequests) {
    public DiskCounters {
        Validation.required("device", device);
    }
}
