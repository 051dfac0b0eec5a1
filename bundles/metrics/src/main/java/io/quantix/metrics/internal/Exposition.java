package io.quantix.metrics.internal;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.quantix.api.DiskCounters;
import io.quantix.api.NicCounters;
import io.quantix.api.PowerState;
import io.quantix.api.StoragePool;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Prometheus text exposition of one {@link Sample} and the API histograms. Per-VM metrics keep the names and
 * labels of the libvirt exporter lineage ({@code domain}, {@code uuid} on the meta metric, {@code target_device}
 * on devices) so existing dashboards work; every metric also has {@code node}.
 */
final class Exposition {
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private Exposition() {
    }

    static String render(Sample sample, MetricSnapshots api) {
        List<MetricSnapshot> all = new ArrayList<>();
        String node = sample.node();
        all.add(gauge("quantix_node_cpus", "CPUs of the node", List.of(point(Labels.of("node", node), sample.cpus()))));
        if (!Double.isNaN(sample.cpuRatio())) {
            all.add(gauge("quantix_node_cpu_usage_ratio", "Share of the node's CPU time busy over the last sample",
                    List.of(point(Labels.of("node", node), sample.cpuRatio()))));
        }
        all.add(gauge("quantix_node_memory_total_bytes", "Memory of the node",
                List.of(point(Labels.of("node", node), sample.memoryTotalBytes()))));
        all.add(gauge("quantix_node_memory_used_bytes", "Memory in use on the node (total - available)",
                List.of(point(Labels.of("node", node), sample.memoryUsedBytes()))));
        Map<PowerState, Integer> states = new EnumMap<>(PowerState.class);
        for (PowerState s : PowerState.values()) {
            states.put(s, 0);
        }
        sample.vms().forEach(vm -> states.merge(vm.state(), 1, Integer::sum));
        List<GaugeDataPointSnapshot> byState = new ArrayList<>();
        states.forEach((s, n) -> byState.add(point(Labels.of("node", node, "state", s.name()), n)));
        all.add(gauge("quantix_node_vms", "VMs of the node by power state", byState));
        all.add(gauge("quantix_node_pool_capacity_bytes", "Capacity of each storage pool",
                pools(sample, node, StoragePool::capacity)));
        all.add(gauge("quantix_node_pool_used_bytes", "Bytes allocated in each storage pool",
                pools(sample, node, StoragePool::allocation)));
        List<GaugeDataPointSnapshot> backends = new ArrayList<>();
        sample.backends().forEach((b, up) -> backends.add(point(Labels.of("kind", b.kind().name().toLowerCase(),
                "name", b.name(), "node", node), up ? 1 : 0)));
        all.add(gauge("quantix_backend_available", "1 while the backend is installed and bound, else 0", backends));
        all.add(gauge("quantix_metrics_sample_duration_seconds", "Time the last sample of the node and its VMs took",
                List.of(point(Labels.of("node", node), sample.tookNanos() / 1e9))));
        vms(sample, node, all);
        api.forEach(all::add);
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + sample.vms().size() * 1500);
        try {
            WRITER.write(out, new MetricSnapshots(all), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<GaugeDataPointSnapshot> pools(Sample sample, String node, Function<StoragePool, Long> value) {
        return sample.pools().stream().map(p -> point(Labels.of("backend", p.spec().backend(), "node", node,
                "pool", p.name()), value.apply(p))).toList();
    }

    /** libvirt's virDomainState numbers, as the exporter's vstate gives them. */
    private static int libvirtState(PowerState state) {
        return switch (state) {
            case RUNNING -> 1;
            case PAUSED -> 3;
            case SHUTTING_DOWN -> 4;
            case STOPPED -> 5;
            case CRASHED -> 6;
            case UNAVAILABLE -> 0;
        };
    }

    private static void vms(Sample sample, String node, List<MetricSnapshot> all) {
        List<GaugeDataPointSnapshot> meta = new ArrayList<>();
        List<GaugeDataPointSnapshot> vstate = new ArrayList<>();
        List<GaugeDataPointSnapshot> maxMemory = new ArrayList<>();
        List<GaugeDataPointSnapshot> memory = new ArrayList<>();
        List<GaugeDataPointSnapshot> vcpus = new ArrayList<>();
        List<CounterDataPointSnapshot> cpu = new ArrayList<>();
        List<CounterDataPointSnapshot> guestCpu = new ArrayList<>();
        List<List<CounterDataPointSnapshot>> block = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        List<List<CounterDataPointSnapshot>> net = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        for (Vm vm : sample.vms()) {
            Labels domain = Labels.of("domain", vm.name(), "node", node);
            meta.add(point(Labels.of("domain", vm.name(), "hypervisor", vm.spec().hypervisor(), "node", node,
                    "uuid", vm.id()), 1));
            vstate.add(point(domain, libvirtState(vm.state())));
            maxMemory.add(point(domain, vm.spec().memoryMiB() * Validation.MIB));
            VmMetrics m = sample.metrics().get(vm.name());
            if (m == null) {
                continue;
            }
            memory.add(point(domain, m.memoryBytes()));
            vcpus.add(point(domain, m.vcpus()));
            cpu.add(counter(domain, m.totalCpuNanos() / 1e9));
            guestCpu.add(counter(domain, m.guestCpuNanos() / 1e9));
            for (DiskCounters d : m.disks()) {
                Labels l = Labels.of("domain", vm.name(), "node", node, "target_device", d.device());
                block.get(0).add(counter(l, d.readBytes()));
                block.get(1).add(counter(l, d.writeBytes()));
                block.get(2).add(counter(l, d.readRequests()));
                block.get(3).add(counter(l, d.writeRequests()));
            }
            for (NicCounters n : m.nics()) {
                Labels l = Labels.of("domain", vm.name(), "node", node, "target_device", n.device());
                net.get(0).add(counter(l, n.rxBytes()));
                net.get(1).add(counter(l, n.txBytes()));
                net.get(2).add(counter(l, n.rxPackets()));
                net.get(3).add(counter(l, n.txPackets()));
            }
        }
        all.add(gauge("libvirt_domain_info_meta", "The VM's name, UUID and hypervisor backend; always 1", meta));
        all.add(gauge("libvirt_domain_info_vstate", "The VM's state as libvirt numbers it (1 running, 3 paused,"
                + " 4 shutting down, 5 shut off, 6 crashed, 0 unavailable)", vstate));
        all.add(gauge("libvirt_domain_info_maximum_memory_bytes", "Memory the VM is defined with", maxMemory));
        all.add(gauge("libvirt_domain_info_memory_usage_bytes", "Memory the VM has now", memory));
        all.add(gauge("libvirt_domain_info_virtual_cpus", "vCPUs of the VM", vcpus));
        all.add(counters("libvirt_domain_info_cpu_time_seconds", "CPU time of the whole VM on the host", cpu));
        all.add(counters("quantix_vm_guest_cpu_seconds", "CPU time the VM's vCPUs ran (the guest's own)", guestCpu));
        all.add(counters("libvirt_domain_block_stats_read_bytes", "Bytes read from a disk", block.get(0)));
        all.add(counters("libvirt_domain_block_stats_write_bytes", "Bytes written to a disk", block.get(1)));
        all.add(counters("libvirt_domain_block_stats_read_requests", "Read requests of a disk", block.get(2)));
        all.add(counters("libvirt_domain_block_stats_write_requests", "Write requests of a disk", block.get(3)));
        all.add(counters("libvirt_domain_interface_stats_receive_bytes", "Bytes received by a NIC", net.get(0)));
        all.add(counters("libvirt_domain_interface_stats_transmit_bytes", "Bytes sent by a NIC", net.get(1)));
        all.add(counters("libvirt_domain_interface_stats_receive_packets", "Packets received by a NIC", net.get(2)));
        all.add(counters("libvirt_domain_interface_stats_transmit_packets", "Packets sent by a NIC", net.get(3)));
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterDataPointSnapshot counter(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot gauge(String name, String help, List<GaugeDataPointSnapshot> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach(b::dataPoint);
        return b.build();
    }

    private static CounterSnapshot counters(String name, String help, List<CounterDataPointSnapshot> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.forEach(b::dataPoint);
        return b.build();
    }
}
