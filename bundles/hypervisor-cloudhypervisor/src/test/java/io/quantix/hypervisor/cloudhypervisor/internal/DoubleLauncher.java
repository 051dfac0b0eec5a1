package io.quantix.hypervisor.cloudhypervisor.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The test side of the {@link VmmLauncher} seam: "runs cloud-hypervisor" by putting a {@link CloudHypervisorDouble} on
 * the socket, in this JVM. Each double gets a made-up pid, so adoption by pid works as it does for processes.
 */
final class DoubleLauncher implements VmmLauncher {
    private static final AtomicLong PIDS = new AtomicLong(4_000_000);

    private final Predicate<String> tapExists;
    private final Map<Long, Launched> byPid = new ConcurrentHashMap<>();
    private final List<CloudHypervisorDouble> all = new ArrayList<>();

    DoubleLauncher(Predicate<String> tapExists) {
        this.tapExists = tapExists;
    }

    private record Launched(long pid, CloudHypervisorDouble vmm) implements Vmm {
        @Override
        public CompletableFuture<?> onExit() {
            return vmm.onExit();
        }

        @Override
        public Optional<Duration> cpuTime() {
            return Optional.of(Duration.ofMillis(250));
        }

        @Override
        public Optional<Duration> guestCpuTime() {
            return Optional.of(Duration.ofMillis(200));
        }

        @Override
        public void kill() {
            vmm.exit();
        }
    }

    @Override
    public synchronized Vmm launch(String vm, Path apiSocket, Path log) {
        try {
            CloudHypervisorDouble vmm = new CloudHypervisorDouble(apiSocket, tapExists);
            all.add(vmm);
            Launched launched = new Launched(PIDS.incrementAndGet(), vmm);
            byPid.put(launched.pid(), launched);
            return launched;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<Vmm> find(long pid) {
        return Optional.ofNullable(byPid.get(pid)).filter(l -> !l.onExit().isDone()).map(Vmm.class::cast);
    }

    /** The newest double, the one serving the VM started last. */
    synchronized CloudHypervisorDouble last() {
        return all.get(all.size() - 1);
    }

    synchronized int launched() {
        return all.size();
    }

    /** Every spec violation any double saw. */
    synchronized List<String> violations() {
        return all.stream().flatMap(d -> d.violations().stream()).toList();
    }

    synchronized void exitAll() {
        all.forEach(CloudHypervisorDouble::exit);
    }
}
