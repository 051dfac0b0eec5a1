package io.quantix.guestagent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the agent is told on its command line. The system commands are configurable so a test can run the agent on
 * a host without freezing its filesystems, changing its passwords or powering it off.
 *
 * @param port the virtio-serial port to open, or null when {@code listen} is given
 * @param listen a Unix socket to listen on instead of a port (tests; one host connection at a time, as QEMU does)
 * @param workers requests handled at once; more wait in a queue of {@code 8 * workers}, then are refused
 * @param maxFile the largest file a push may write or a pull may read
 * @param mounts the mount table whose filesystems are reported and frozen
 * @param osRelease the os-release file
 * @param fsfreeze the fsfreeze program, run as {@code fsfreeze --freeze|--unfreeze MOUNTPOINT}
 * @param chpasswd the chpasswd program, fed {@code user:password} on standard input
 * @param shutdown a program run as {@code shutdown poweroff|halt|reboot}, or an empty list for systemctl (or
 *     shutdown(8) on a system without systemd)
 * @param date the date program, run as {@code date -u -s @SECONDS.NANOS}
 * @param hwclock the hwclock program, run as {@code hwclock --hctosys}
 * @param heartbeat how often an unasked Heartbeat goes to the host
 */
record AgentConfig(Path port, Path listen, int workers, long maxFile, Path mounts, Path osRelease, List<String> fsfreeze,
        List<String> chpasswd, List<String> shutdown, List<String> date, List<String> hwclock, Duration heartbeat) {
    static final Path DEFAULT_PORT = Path.of("/dev/virtio-ports/org.quantix.agent.0");

    AgentConfig {
        if ((port == null) == (listen == null)) {
            throw new IllegalArgumentException("give either --port or --listen");
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("--workers is 1 to 64");
        }
        if (maxFile < 0) {
            throw new IllegalArgumentException("--max-file is a size in bytes");
        }
        Objects.requireNonNull(mounts, "mounts");
        Objects.requireNonNull(osRelease, "osRelease");
        fsfreeze = command(fsfreeze, "--fsfreeze");
        chpasswd = command(chpasswd, "--chpasswd");
        shutdown = List.copyOf(shutdown);
        date = command(date, "--date");
        hwclock = command(hwclock, "--hwclock");
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("--heartbeat-seconds is above 0");
        }
    }

    private static List<String> command(List<String> words, String option) {
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new IllegalArgumentException(option + " names a program");
        }
        return List.copyOf(words);
    }

    /** Options are {@code --name value}; a command option's value is split at spaces. */
    static AgentConfig parse(String... args) {
        Path port = null;
        Path listen = null;
        int workers = 4;
        long maxFile = 1L << 30;
        Path mounts = Path.of("/proc/self/mounts");
        Path osRelease = Path.of("/etc/os-release");
        List<String> fsfreeze = List.of("fsfreeze");
        List<String> chpasswd = List.of("chpasswd");
        List<String> shutdown = List.of();
        List<String> date = List.of("date");
        List<String> hwclock = List.of("hwclock");
        Duration heartbeat = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--port" -> port = Path.of(v);
                case "--listen" -> listen = Path.of(v);
                case "--workers" -> workers = Integer.parseInt(v);
                case "--max-file" -> maxFile = Long.parseLong(v);
                case "--mounts" -> mounts = Path.of(v);
                case "--os-release" -> osRelease = Path.of(v);
                case "--fsfreeze" -> fsfreeze = words(v);
                case "--chpasswd" -> chpasswd = words(v);
                case "--shutdown" -> shutdown = words(v);
                case "--date" -> date = words(v);
                case "--hwclock" -> hwclock = words(v);
                case "--heartbeat-seconds" -> heartbeat = Duration.ofSeconds(Long.parseLong(v));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (port == null && listen == null) {
            port = DEFAULT_PORT;
        }
        return new AgentConfig(port, listen, workers, maxFile, mounts, osRelease, fsfreeze, chpasswd, shutdown, date,
                hwclock, heartbeat);
    }

    private static List<String> words(String v) {
        List<String> out = new ArrayList<>();
        for (String w : v.trim().split(" +")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
