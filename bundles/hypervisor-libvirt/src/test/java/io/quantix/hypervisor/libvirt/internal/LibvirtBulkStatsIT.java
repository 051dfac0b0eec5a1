package io.quantix.hypervisor.libvirt.internal;

import static io.quantix.hypervisor.libvirt.internal.Libvirtd.MARKER;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.await;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * virConnectGetAllDomainStats on the host's real libvirtd and QEMU (TCG): a guest with a qcow2 disk it reads and a
 * NIC on a bridge of the test's own, and a stopped one. The bulk figures must be the per-domain ones: each counter
 * lies between a per-domain reading just before and one just after, and a paused guest's vCPU time, which stands
 * still, is equal in all three.
 */
@Tag("libvirtd")
class LibvirtBulkStatsIT {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtBulkStatsIT.class);
    private static final String GUEST = "metrics-it-guest";
    private static final String STOPPED = "metrics-it-stopped";
    private static final String BRIDGE = "metricsbr0";
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Path DIR = Path.of("").toAbsolutePath().resolve("target/it-bulk-stats");

    private static LibvirtBackend backend;
    private static Vm guest;
    private static Vm stopped;

    @BeforeAll
    static void start() throws Exception {
        Libvirtd.prepare();
        backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        cleanUp();
        Files.createDirectories(DIR);
        Path disk = DIR.resolve("root.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M");
        run("ip", "link", "add", BRIDGE, "type", "bridge");
        run("ip", "link", "set", BRIDGE, "up");
        List<AttachedDisk> disks = List.of(new AttachedDisk(new VolumeRef("it", "root"),
                new DiskSource.File(disk.toString()), VolumeFormat.QCOW2, DiskBus.VIRTIO));
        List<AttachedNic> nics = List.of(new AttachedNic("lan", "port-metrics-1", "52:54:00:71:0a:01",
                NicModel.VIRTIO, new NicBinding.Bridge(BRIDGE)));
        // the guest lists its block devices every second: its disk is read
        VmSpec spec = VmSpec.builder(GUEST).memoryMiB(256).disk(DiskSpec.of("it", 64 * Validation.MIB))
                .directBoot(Libvirtd.boot(Libvirtd.CMDLINE + Libvirtd.WATCH_PARTITIONS)).build();
        guest = backend.define(UUID.randomUUID().toString(), spec, disks, nics);
        stopped = backend.define(UUID.randomUUID().toString(), VmSpec.builder(STOPPED).memoryMiB(128)
                .directBoot(Libvirtd.boot(Libvirtd.CMDLINE)).build(), List.of(), List.of());
        backend.power(GUEST, PowerAction.START);
        await("boot marker", BOOT, guest, () -> count(guest, MARKER) >= 1);
    }

    private static void cleanUp() throws IOException, InterruptedException {
        Libvirtd.remove(backend, GUEST);
        Libvirtd.remove(backend, STOPPED);
        new ProcessBuilder("ip", "link", "del", BRIDGE).redirectErrorStream(true).start().waitFor();
    }

    @AfterAll
    static void close() throws Exception {
        cleanUp();
        backend.close();
    }

    /** The guest running, whatever a failed test left. */
    private static void running() {
        if (backend.find(GUEST).orElseThrow().state() == PowerState.PAUSED) {
            backend.power(GUEST, PowerAction.RESUME);
        }
        assertEquals(PowerState.RUNNING, backend.find(GUEST).orElseThrow().state(), "the guest runs");
    }

    @Test
    void bulkCountersOfARunningGuestLieBetweenPerDomainReadings() throws Exception {
        running();
        await("the guest reads its disk", BOOT, guest, () -> backend.metrics(GUEST).diskReadBytes() > 0);
        Vm ghost = new Vm(UUID.randomUUID().toString(), VmSpec.builder("metrics-it-ghost").build(), PowerState.STOPPED,
                List.of(), List.of());

        VmMetrics before = backend.metrics(GUEST);
        VmMetrics stoppedAlone = backend.metrics(STOPPED);
        long start = System.nanoTime();
        Map<String, VmMetrics> bulk = backend.metricsAll(List.of(guest, stopped, ghost));
        long bulkNanos = System.nanoTime() - start;
        VmMetrics after = backend.metrics(GUEST);

        assertEquals(Set.of(GUEST, STOPPED), bulk.keySet(), "a VM libvirt does not have is left out");
        BulkMetricsCheck.assertBetween(before, bulk.get(GUEST), after);
        VmMetrics metrics = bulk.get(GUEST);
        assertEquals(List.of("vda"), BulkMetricsCheck.devices(metrics), "the Quantix disk");
        assertEquals(1, metrics.nics().size(), metrics.toString());
        assertTrue(metrics.nics().get(0).device().startsWith("vnet"), "the host-side tap: " + metrics.nics());
        assertTrue(metrics.disks().get(0).readRequests() > 0 && metrics.guestCpuNanos() > 0, metrics.toString());
        assertEquals(256 * Validation.MIB, metrics.memoryBytes());
        assertEquals(new VmMetrics(STOPPED, stoppedAlone.at(), 0, 0, 1, 128 * Validation.MIB, 0, 0, 0, 0),
                stoppedAlone);
        assertEquals(stoppedAlone, atTime(bulk.get(STOPPED), stoppedAlone.at()), "a stopped VM: sizes, no counters");
        LOG.info("bulk stats of {} domains in {} us; one per-domain reading of the guest takes the API {} calls",
                bulk.size(), bulkNanos / 1000, 2 + metrics.vcpus() + metrics.disks().size() + metrics.nics().size());
    }

    @Test
    void aPausedGuestsVcpuTimeIsTheSameInBulkAndPerDomain() throws Exception {
        running();
        backend.power(GUEST, PowerAction.PAUSE);
        try {
            VmMetrics before = backend.metrics(GUEST);
            VmMetrics bulk = backend.metricsAll(List.of(guest)).get(GUEST);
            VmMetrics after = backend.metrics(GUEST);

            assertEquals(before.guestCpuNanos(), after.guestCpuNanos(), "paused vCPUs stand still");
            assertEquals(before.guestCpuNanos(), bulk.guestCpuNanos(), "bulk: the sum of the vCPU times");
            BulkMetricsCheck.assertBetween(before, bulk, after);
            assertTrue(bulk.totalCpuNanos() >= bulk.guestCpuNanos(), bulk.toString());
        } finally {
            backend.power(GUEST, PowerAction.RESUME);
        }
    }

    private static VmMetrics atTime(VmMetrics m, java.time.Instant at) {
        return new VmMetrics(m.vm(), at, m.guestCpuNanos(), m.totalCpuNanos(), m.vcpus(), m.memoryBytes(),
                m.diskReadBytes(), m.diskWriteBytes(), m.netRxBytes(), m.netTxBytes(), m.disks(), m.nics());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
