package io.quantix.hypervisor.cloudhypervisor.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** CPU time of some of a process's threads, from Linux's /proc: Java's ProcessHandle tells only the whole process's. */
final class ThreadCpu {
    /** /proc counts in USER_HZ clock ticks, which Linux fixes at 100 per second for user space. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ThreadCpu() {
    }

    /** The sum over the process's live threads whose name matches; empty when the process is gone. */
    static Optional<Duration> of(long pid, Predicate<String> threadName) {
        List<Path> tasks;
        try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks = list.toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        long ticks = 0;
        for (Path task : tasks) {
            String stat;
            try {
                stat = Files.readString(task.resolve("stat"));
            } catch (NoSuchFileException e) {
                continue; // the thread ended since the listing
            } catch (IOException e) {
                return Optional.empty();
            }
            // "tid (comm) state ...": comm may hold spaces and parentheses, so the fields start after the last ')'
            int close = stat.lastIndexOf(')');
            if (threadName.test(stat.substring(stat.indexOf('(') + 1, close))) {
                String[] fields = stat.substring(close + 2).split(" ");
                // fields[0] is field 3 (state); utime and stime are fields 14 and 15
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
        }
        return Optional.of(Duration.ofNanos(ticks * NANOS_PER_TICK));
    }
}
