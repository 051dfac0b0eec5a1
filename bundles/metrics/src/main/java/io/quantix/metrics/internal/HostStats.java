package io.quantix.metrics.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The host's CPU and memory from {@code /proc}: what every process on the node uses, VMs and Quantix included. */
final class HostStats {
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private long lastBusy = -1;
    private long lastTotal = -1;

    /** The share of CPU time busy since the last call, 0..1; NaN on the first call or without /proc. */
    double cpuRatio() {
        try {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
            String[] f = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long busy = total - idle;
            double ratio = lastTotal < 0 || total == lastTotal ? Double.NaN
                    : (double) (busy - lastBusy) / (total - lastTotal);
            lastBusy = busy;
            lastTotal = total;
            return ratio;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** {@code [MemTotal, MemTotal - MemAvailable]} in bytes; zeros without /proc. */
    static long[] memory() {
        try {
            List<String> lines = Files.readAllLines(MEMINFO);
            long total = kib(lines, "MemTotal:");
            return new long[] {total, total - kib(lines, "MemAvailable:")};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static long kib(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key)).findFirst()
                .map(l -> Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]) * 1024)
                .orElseThrow(() -> new IllegalStateException(key + " missing from /proc/meminfo"));
    }
}
