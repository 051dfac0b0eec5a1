package io.quantix.api.agent;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The guest's own figures, as its agent read them.
 *
 * @param memoryTotalBytes MemTotal
 * @param memoryAvailableBytes MemAvailable (what programs can still get without swapping)
 * @param filesystems the disk filesystems mounted in the guest
 * @param load the 1, 5 and 15 minute load averages
 * @param uptime since the guest booted
 * @param os the guest's operating system
 * @param hostname its host name
 */
public record GuestTelemetry(long memoryTotalBytes, long memoryAvailableBytes, List<Filesystem> filesystems,
        List<Double> load, Duration uptime, GuestOsInfo os, String hostname) {
    /** A mounted filesystem and its usage in bytes, as df counts it. */
    public record Filesystem(String mountpoint, String type, long totalBytes, long usedBytes) {
        public Filesystem {
            Objects.requireNonNull(mountpoint, "mountpoint");
            Objects.requireNonNull(type, "type");
            if (totalBytes < 0 || usedBytes < 0 || usedBytes > totalBytes) {
                throw new IllegalArgumentException("usage " + usedBytes + " of " + totalBytes);
            }
        }
    }

    public GuestTelemetry {
        if (memoryTotalBytes < 0 || memoryAvailableBytes < 0 || memoryAvailableBytes > memoryTotalBytes) {
            throw new IllegalArgumentException("memory " + memoryAvailableBytes + " available of " + memoryTotalBytes);
        }
        filesystems = List.copyOf(filesystems);
        load = List.copyOf(load);
        if (load.size() != 3) {
            throw new IllegalArgumentException("three load averages");
        }
        Objects.requireNonNull(uptime, "uptime");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(hostname, "hostname");
    }

    public long memoryUsedBytes() {
        return memoryTotalBytes - memoryAvailableBytes;
    }
}
