package io.quantix.cluster.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** How busy the host is now, for the node record: the load average and the kernel's MemAvailable. */
final class HostLoad {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private HostLoad() {
    }

    static Wire.Load now() {
        return new Wire.Load(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), memoryAvailable());
    }

    /** MemAvailable in bytes; -1 where /proc/meminfo has none. */
    private static long memoryAvailable() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unreadable /proc: the record says so with -1
        }
        return -1;
    }
}
