package io.quantix.console.internal;

import io.quantix.api.NodeInfo;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePool;
import io.quantix.api.Vm;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/** Reads what the dashboard shows: the kernel's /proc, the node's services, the tail of the node's log. */
final class Probe {
    /** The tail of the log that is read for the last lines and the error and warning counts. */
    static final int LOG_TAIL_BYTES = 64 * 1024;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private final NodeService node;
    private final VmService vms;
    private final StorageService storage;
    private final Path log;
    private final Supplier<String> status;
    private final Supplier<String> ssh;
    private final Supplier<String> ip;
    private long lastBusy;
    private long lastTotal;

    Probe(NodeService node, VmService vms, StorageService storage, Path log, Supplier<String> status,
            Supplier<String> ssh, Supplier<String> ip) {
        this.node = node;
        this.vms = vms;
        this.storage = storage;
        this.log = log;
        this.status = status;
        this.ssh = ssh;
        this.ip = ip;
    }

    DashboardData read() {
        NodeInfo info = node.info();
        int running = 0;
        int total = 0;
        try {
            List<Vm> all = vms.list();
            total = all.size();
            running = (int) all.stream().filter(v -> v.state() == PowerState.RUNNING).count();
        } catch (QuantixException e) {
            // shown as 0 of 0; the log line says why
        }
        String[] mem = meminfo();
        List<String> tail = logTail();
        int errors = (int) tail.stream().filter(l -> l.contains(" ERROR ")).count();
        int warnings = (int) tail.stream().filter(l -> l.contains(" WARN ")).count();
        return new DashboardData("v" + info.version(), info.name(), status.get(), ip.get(), cpu(), info.cpus(),
                Long.parseLong(mem[0]), Long.parseLong(mem[1]), running, total, storage(), uptime(), ssh.get(),
                tail.subList(Math.max(0, tail.size() - 5), tail.size()), errors, warnings, info.simulated(),
                ZonedDateTime.now(ZoneOffset.UTC).format(CLOCK));
    }

    private String storage() {
        try {
            List<StoragePool> pools = storage.listPools();
            long used = pools.stream().mapToLong(StoragePool::allocation).sum();
            long capacity = pools.stream().mapToLong(StoragePool::capacity).sum();
            return Views.bytes(used) + " used of " + Views.bytes(capacity) + " (" + pools.size() + " pool"
                    + (pools.size() == 1 ? "" : "s") + ")";
        } catch (QuantixException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /** Busy share of all CPUs since the last read (since boot on the first). */
    private double cpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            long busy = total - idle;
            double share = total == lastTotal ? 0 : (double) (busy - lastBusy) / (total - lastTotal);
            lastBusy = busy;
            lastTotal = total;
            return share;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Used (total minus available) and total bytes. */
    private static String[] meminfo() {
        long total = 0;
        long available = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                } else if (line.startsWith("MemAvailable:")) {
                    available = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // zeros: the bar shows 0%
        }
        return new String[] {String.valueOf(total - available), String.valueOf(total)};
    }

    private static long uptime() {
        try {
            return (long) Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The last lines of the node's log, shortened to "time LEVEL message". */
    List<String> logTail() {
        if (!Files.isReadable(log)) {
            return List.of();
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - LOG_TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            List<String> lines = new ArrayList<>();
            for (String raw : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                String[] parts = raw.split(" \\| ");
                if (parts.length >= 3 && parts[0].length() >= 19) {
                    lines.add(parts[0].substring(11, 19) + " " + parts[1].strip() + " " + parts[parts.length - 1].strip());
                }
            }
            return lines.subList(start == 0 ? 0 : Math.min(1, lines.size()), lines.size());
        } catch (IOException e) {
            return Collections.singletonList("cannot read " + log + ": " + e.getMessage());
        }
    }

    /** The first IPv4 address that is not loopback: what the dashboard shows when network.yaml names none. */
    static String firstAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isLoopback() || !nic.isUp()) {
                    continue;
                }
                for (var a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // none
        }
        return "";
    }
}
