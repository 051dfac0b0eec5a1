package io.quantix.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quantix.api.BackendKind;
import io.quantix.api.DiskCounters;
import io.quantix.api.NicCounters;
import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exposition read by Prometheus' own client library's text parser (Debian's python3-prometheus-client,
 * installed by src/test/sh/metrics-env.sh), not by string checks.
 */
class ExpositionTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    record Parsed(String family, String type, String name, String labels, double value) {
    }

    @BeforeAll
    static void parserInstalled() throws Exception {
        Process setup = new ProcessBuilder("sh", MODULE.resolve("src/test/sh/metrics-env.sh").toString())
                .redirectErrorStream(true).start();
        String out = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, setup.waitFor(), "metrics-env.sh: " + out);
    }

    static List<Parsed> parse(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", MODULE.resolve("src/test/python/parse_metrics.py").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the parser refused the exposition:\n" + exposition);
        List<Parsed> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            assertEquals(5, f.length, line);
            samples.add(new Parsed(f[0], f[1], f[2], "," + f[3] + ",", Double.parseDouble(f[4])));
        }
        return samples;
    }

    private static double value(List<Parsed> samples, String name, String... labels) {
        List<Parsed> hits = samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> java.util.Arrays.stream(labels).allMatch(l -> s.labels().contains("," + l + ","))).toList();
        assertEquals(1, hits.size(), name + " " + List.of(labels) + " in " + hits);
        return hits.get(0).value();
    }

    static Sample sample(int vmCount) {
        List<Vm> vms = new ArrayList<>();
        Map<String, VmMetrics> metrics = new HashMap<>();
        for (int i = 0; i < vmCount; i++) {
            String name = "web-" + i;
            boolean running = i % 4 != 3;
            Vm vm = new Vm(UUID.nameUUIDFromBytes(name.getBytes()).toString(),
                    VmSpec.builder(name).vcpus(2).memoryMiB(1024).build(),
                    running ? PowerState.RUNNING : PowerState.STOPPED, List.of(), List.of());
            vms.add(vm);
            metrics.put(name, running
                    ? VmMetrics.of(name, Instant.now(), 4_000_000_000L + i, 5_500_000_000L + i, 2, 512L << 20,
                            List.of(new DiskCounters("vda", 1000 + i, 2000, 10, 20), new DiskCounters("vdb", 5, 6, 7, 8)),
                            List.of(new NicCounters("vnet" + i, 300, 400, 3, 4)))
                    : new VmMetrics(name, Instant.now(), 0, 0, 2, 1024L << 20, 0, 0, 0, 0));
        }
        return new Sample(Instant.now(), "node-a", 2, 0.25, 8L << 30, 3L << 30, vms, metrics, List.of(),
                Map.of(new Sample.Backend(BackendKind.HYPERVISOR, "libvirt"), true,
                        new Sample.Backend(BackendKind.HYPERVISOR, "cloud-hypervisor"), false), 1_500_000);
    }

    @Test
    void theParserReadsNodeVmAndApiMetricsUnderTheExporterNames() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Histogram latency = Histogram.builder().name("quantix_api_request_duration_seconds").help("latency")
                .labelNames("api", "method", "code").classicUpperBounds(0.01, 0.1).classicOnly().register(registry);
        latency.labelValues("rest", "GET /vms/{name}", "200").observe(0.004);
        latency.labelValues("rest", "GET /vms/{name}", "200").observe(0.05);

        List<Parsed> s = parse(Exposition.render(sample(4), registry.scrape()));

        assertEquals(5.500_000_001, value(s, "libvirt_domain_info_cpu_time_seconds_total", "domain=web-1"), 1e-9);
        assertEquals("counter", s.stream().filter(p -> p.name().equals("libvirt_domain_info_cpu_time_seconds_total"))
                .findFirst().orElseThrow().type());
        assertEquals(1001, value(s, "libvirt_domain_block_stats_read_bytes_total", "domain=web-1",
                "target_device=vda"));
        assertEquals(8, value(s, "libvirt_domain_block_stats_write_requests_total", "domain=web-0",
                "target_device=vdb"));
        assertEquals(300, value(s, "libvirt_domain_interface_stats_receive_bytes_total", "target_device=vnet2"));
        assertEquals(4, value(s, "libvirt_domain_interface_stats_transmit_packets_total", "domain=web-2"));
        assertEquals(1024L << 20, value(s, "libvirt_domain_info_maximum_memory_bytes", "domain=web-0"));
        assertEquals(512L << 20, value(s, "libvirt_domain_info_memory_usage_bytes", "domain=web-0"));
        assertEquals(2, value(s, "libvirt_domain_info_virtual_cpus", "domain=web-3"));
        assertEquals(5, value(s, "libvirt_domain_info_vstate", "domain=web-3"), "stopped: libvirt's 5");
        assertEquals(1, value(s, "libvirt_domain_info_meta", "domain=web-3",
                "uuid=" + UUID.nameUUIDFromBytes("web-3".getBytes()) + "", "node=node-a"));
        assertEquals(3, value(s, "quantix_node_vms", "state=RUNNING"));
        assertEquals(1, value(s, "quantix_node_vms", "state=STOPPED"));
        assertEquals(0.25, value(s, "quantix_node_cpu_usage_ratio"));
        assertEquals(1, value(s, "quantix_backend_available", "name=libvirt", "kind=hypervisor"));
        assertEquals(0, value(s, "quantix_backend_available", "name=cloud-hypervisor"));
        assertEquals(2, value(s, "quantix_api_request_duration_seconds_count", "method=GET /vms/{name}"));
        assertEquals(1, value(s, "quantix_api_request_duration_seconds_bucket", "le=0.01"));
        assertEquals(2, value(s, "quantix_api_request_duration_seconds_bucket", "le=+Inf"));
    }

    /** Prints the time and size of a scrape at 1,000 simulated VMs (a figure, not an assertion). */
    @Test
    void aScrapeOfAThousandVmsParses() throws Exception {
        Sample thousand = sample(1000);
        PrometheusRegistry registry = new PrometheusRegistry();
        Exposition.render(thousand, registry.scrape()); // warm-up
        long start = System.nanoTime();
        int rounds = 20;
        String text = "";
        for (int i = 0; i < rounds; i++) {
            text = Exposition.render(thousand, registry.scrape());
        }
        long micros = (System.nanoTime() - start) / 1000 / rounds;

        List<Parsed> samples = parse(text);

        assertEquals(1000, samples.stream().filter(p -> p.name().equals("libvirt_domain_info_meta")).count());
        System.out.printf("scrape of 1,000 VMs: %d us to render, %d bytes, %d samples%n", micros,
                text.getBytes(StandardCharsets.UTF_8).length, samples.size());
    }
}
