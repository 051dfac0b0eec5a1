package io.quantix.guestagent;

import io.quantix.proto.agent.v1.FilesystemUsage;
import io.quantix.proto.agent.v1.Interface;
import io.quantix.proto.agent.v1.Interfaces;
import io.quantix.proto.agent.v1.IpAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** The guest's figures, read from /proc, the mount table and os-release on each request (nothing is cached). */
final class Telemetry {
    private final AgentConfig config;

    Telemetry(AgentConfig config) {
        this.config = config;
    }

    io.quantix.proto.agent.v1.Telemetry read() {
        Map<String, Long> mem = meminfo();
        String[] load = text("/proc/loadavg").trim().split("\\s+");
        String uptime = text("/proc/uptime").trim().split("\\s+")[0];
        Map<String, String> os = osRelease();
        var t = io.quantix.proto.agent.v1.Telemetry.newBuilder()
                .setMemoryTotalBytes(mem.getOrDefault("MemTotal", 0L))
                .setMemoryAvailableBytes(mem.getOrDefault("MemAvailable", mem.getOrDefault("MemFree", 0L)))
                .setLoad1(Double.parseDouble(load[0]))
                .setLoad5(Double.parseDouble(load[1]))
                .setLoad15(Double.parseDouble(load[2]))
                .setUptimeSeconds((long) Double.parseDouble(uptime))
                .setOsName(os.getOrDefault("PRETTY_NAME", os.getOrDefault("NAME", "")))
                .setOsVersion(os.getOrDefault("VERSION_ID", ""))
                .setOsId(os.getOrDefault("ID", ""))
                .setKernel(text("/proc/sys/kernel/osrelease").trim())
                .setHostname(text("/proc/sys/kernel/hostname").trim())
                .setMachine(machine());
        for (Mounts.Mount m : Mounts.disks(config.mounts())) {
            try {
                FileStore store = Files.getFileStore(Path.of(m.mountpoint()));
                long total = store.getTotalSpace();
                // as df counts it: what is not free, reserved blocks included
                t.addFilesystems(FilesystemUsage.newBuilder().setMountpoint(m.mountpoint()).setType(m.type())
                        .setTotalBytes(total).setUsedBytes(total - store.getUnallocatedSpace()));
            } catch (IOException e) {
                // unmounted since the table was read
            }
        }
        return t.build();
    }

    /** meminfo's figures in bytes (the file says kB, meaning KiB). */
    static Map<String, Long> meminfo() {
        Map<String, Long> out = new HashMap<>();
        for (String line : text("/proc/meminfo").split("\n")) {
            String[] f = line.split("[:\\s]+");
            if (f.length >= 2) {
                try {
                    out.put(f[0], Long.parseLong(f[1]) * (f.length > 2 && f[2].equals("kB") ? 1024 : 1));
                } catch (NumberFormatException e) {
                    // not a figure
                }
            }
        }
        return out;
    }

    private Map<String, String> osRelease() {
        Map<String, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(config.osRelease(), StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    String v = line.substring(eq + 1).trim();
                    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                        v = v.substring(1, v.length() - 1);
                    }
                    out.put(line.substring(0, eq).trim(), v);
                }
            }
        } catch (IOException e) {
            // a guest without os-release: its fields stay empty
        }
        return out;
    }

    /** uname -m; the JVM says amd64 where the kernel says x86_64. */
    private static String machine() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "x86" -> "i686";
            default -> arch;
        };
    }

    static Interfaces interfaces() {
        Interfaces.Builder out = Interfaces.newBuilder();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                byte[] mac = nic.getHardwareAddress();
                Interface.Builder i = Interface.newBuilder().setName(nic.getName())
                        .setMac(mac == null ? "" : HexFormat.ofDelimiter(":").formatHex(mac).toLowerCase(Locale.ROOT));
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    String address = a.getAddress().getHostAddress();
                    int scope = address.indexOf('%');
                    i.addAddresses(IpAddress.newBuilder()
                            .setFamily(a.getAddress() instanceof Inet4Address ? IpAddress.Family.IPV4 : IpAddress.Family.IPV6)
                            .setAddress(scope < 0 ? address : address.substring(0, scope))
                            .setPrefix(Math.max(0, a.getNetworkPrefixLength())));
                }
                out.addInterfaces(i);
            }
        } catch (SocketException e) {
            throw new AgentError(AgentError.BACKEND, "cannot list the network interfaces: " + e.getMessage());
        }
        return out.build();
    }

    private static String text(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AgentError(AgentError.BACKEND, "cannot read " + path + ": " + e.getMessage());
        }
    }
}
