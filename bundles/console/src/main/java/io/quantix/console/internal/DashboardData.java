package io.quantix.console.internal;

import java.util.List;

/** What the dashboard shows, gathered by {@link Probe}; a value that could not be read is said so in its text. */
record DashboardData(String version, String nodeName, String status, String ip, double cpu, int cpus, long memUsed,
        long memTotal, int vmsRunning, int vmsTotal, String storage, long uptimeSeconds, String ssh, List<String> log,
        int errors, int warnings, boolean simulated, String clock) {
    DashboardData {
        log = List.copyOf(log);
    }

    String url() {
        return ip.isEmpty() ? "(no address yet)" : "https://" + ip + ":8443";
    }
}
