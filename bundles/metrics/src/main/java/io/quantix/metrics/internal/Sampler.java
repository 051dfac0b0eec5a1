package io.quantix.metrics.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.BackendKind;
import io.quantix.api.NodeInfo;
import io.quantix.api.PowerState;
import io.quantix.api.StoragePool;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.HypervisorBackend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of sampling: the VM list, one {@link HypervisorBackend#metricsAll} call per backend, the pools and the
 * host's CPU and memory; then the history's points (rates from the previous round's counters). Runs on the one
 * sampler thread only.
 */
final class Sampler {
    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    /** The counters of a VM's previous sample, for its rates. */
    private record Previous(long atNanos, long guestCpu, long diskRead, long diskWrite, long rx, long tx) {
    }

    private final VmService vms;
    private final StorageService storage;
    private final NodeService node;
    private final Map<String, HypervisorBackend> backends;
    private final History history;
    private final HostStats host = new HostStats();
    private final Map<String, Previous> previous = new HashMap<>();

    Sampler(VmService vms, StorageService storage, NodeService node, Map<String, HypervisorBackend> backends,
            History history) {
        this.vms = vms;
        this.storage = storage;
        this.node = node;
        this.backends = backends;
        this.history = history;
    }

    Sample sample(Instant at) {
        long start = System.nanoTime();
        NodeInfo info = node.info();
        List<Vm> all = vms.list();
        Map<String, List<Vm>> byBackend = new HashMap<>();
        all.forEach(vm -> byBackend.computeIfAbsent(vm.spec().hypervisor(), b -> new ArrayList<>()).add(vm));
        Map<String, VmMetrics> metrics = new HashMap<>();
        byBackend.forEach((name, list) -> {
            HypervisorBackend backend = backends.get(name);
            if (backend != null) {
                try {
                    metrics.putAll(backend.metricsAll(list));
                } catch (RuntimeException e) {
                    LOG.warn("metrics of backend '{}' failed this round: {}", name, e.getMessage());
                }
            }
        });
        List<StoragePool> pools;
        try {
            pools = storage.listPools();
        } catch (RuntimeException e) {
            LOG.warn("pools could not be listed this round: {}", e.getMessage());
            pools = List.of();
        }
        Map<Sample.Backend, Boolean> available = new TreeMap<>(
                java.util.Comparator.comparing(Sample.Backend::kind).thenComparing(Sample.Backend::name));
        all.forEach(vm -> available.put(new Sample.Backend(BackendKind.HYPERVISOR, vm.spec().hypervisor()), false));
        pools.forEach(p -> available.put(new Sample.Backend(BackendKind.STORAGE, p.spec().backend()), false));
        for (BackendInfo b : info.backends()) {
            available.put(new Sample.Backend(b.kind(), b.name()), true);
        }
        double cpu = host.cpuRatio();
        long[] memory = HostStats.memory();
        Sample sample = new Sample(at, info.name(), info.cpus(), cpu, memory[0], memory[1], all, metrics, pools,
                available, System.nanoTime() - start);
        record(sample);
        return sample;
    }

    private void record(Sample s) {
        long second = s.at().getEpochSecond();
        long running = s.vms().stream().filter(vm -> vm.state() == PowerState.RUNNING).count();
        long used = s.pools().stream().mapToLong(StoragePool::allocation).sum();
        long capacity = s.pools().stream().mapToLong(StoragePool::capacity).sum();
        history.record(RingStore.NODE_KEY, second, new double[] {s.cpuRatio() * 100, s.memoryUsedBytes(), running,
                s.vms().size(), used, capacity});
        Set<String> live = new HashSet<>();
        for (Vm vm : s.vms()) {
            live.add(vm.id());
            VmMetrics m = s.metrics().get(vm.name());
            if (m == null || (vm.state() != PowerState.RUNNING && vm.state() != PowerState.PAUSED)) {
                previous.remove(vm.id());
                continue;
            }
            long now = m.at().getEpochSecond() * 1_000_000_000L + m.at().getNano();
            Previous p = previous.put(vm.id(), new Previous(now, m.guestCpuNanos(), m.diskReadBytes(),
                    m.diskWriteBytes(), m.netRxBytes(), m.netTxBytes()));
            double seconds = p == null ? 0 : (now - p.atNanos()) / 1e9;
            history.record(vm.id(), second, new double[] {
                    rate(seconds, p == null ? 0 : p.guestCpu(), m.guestCpuNanos()) / 1e9 * 100 / Math.max(1, m.vcpus()),
                    m.memoryBytes(),
                    rate(seconds, p == null ? 0 : p.diskRead(), m.diskReadBytes()),
                    rate(seconds, p == null ? 0 : p.diskWrite(), m.diskWriteBytes()),
                    rate(seconds, p == null ? 0 : p.rx(), m.netRxBytes()),
                    rate(seconds, p == null ? 0 : p.tx(), m.netTxBytes())});
        }
        previous.keySet().retainAll(live);
        history.retain(live, second);
    }

    /** Per second between two readings; NaN for the first or after a counter went back (the VM restarted). */
    private static double rate(double seconds, long before, long now) {
        return seconds <= 0 || now < before ? Double.NaN : (now - before) / seconds;
    }
}
