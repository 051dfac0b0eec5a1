package io.quantix.hypervisor.cloudhypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.Capability;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.NicSpec;
import io.quantix.api.DiskSpec;
import io.quantix.api.Firmware;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
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
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to Cloud Hypervisor: the config it is sent, taps, run files, adoption and error mapping. */
class CloudHypervisorBackendTest {
    private static final String BRIDGE = "br-lan";
    private static final String ID = "3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13";
    private static final String PORT = "7d1e5c3b-2a4f-4e6d-8c9b-0a1f2e3d4c5b";
    private static final String TAP = "qx7d1e5c3b2a4f4";

    @TempDir
    Path dir;
    private TestNode node;
    private CloudHypervisorBackend backend;

    @BeforeEach
    void start() throws IOException {
        node = new TestNode(dir, BRIDGE);
        backend = node.open();
    }

    @AfterEach
    void stop() {
        backend.close();
        node.close();
    }

    @Test
    void startSendsTheVmAsACloudHypervisorConfig() throws IOException {
        Vm vm = define("web-1");

        backend.power("web-1", PowerAction.START);

        JsonNode config = node.launcher.last().config();
        assertEquals(2, config.path("cpus").path("boot_vcpus").asInt());
        assertEquals(2, config.path("cpus").path("max_vcpus").asInt());
        assertEquals(768 * Validation.MIB, config.path("memory").path("size").asLong());
        assertEquals(node.firmware.toString(), config.path("payload").path("firmware").asText());
        assertEquals(path(vm.disks().get(0)), config.path("disks").get(0).path("path").asText());
        assertEquals("Qcow2", config.path("disks").get(0).path("image_type").asText());
        assertEquals("Raw", config.path("disks").get(1).path("image_type").asText());
        assertFalse(config.path("disks").get(1).path("readonly").asBoolean(true));
        assertEquals(TAP, config.path("net").get(0).path("tap").asText());
        assertEquals("52:54:00:aa:bb:01", config.path("net").get(0).path("mac").asText());
        assertEquals("File", config.path("serial").path("mode").asText());
        assertEquals(node.runDir.resolve("web-1.serial.log").toString(), config.path("serial").path("file").asText());
        assertEquals("Off", config.path("console").path("mode").asText());
        assertEquals(List.of("GET vmm.ping", "PUT vm.create", "PUT vm.boot"), node.launcher.last().calls().stream()
                .filter(c -> !c.equals("GET vm.info")).distinct().toList());
    }

    @Test
    void aRunningVmHasItsTapOnTheBridgeAndForceStopEndsTheVmmAndRemovesIt() {
        define("web-1");
        backend.power("web-1", PowerAction.START);
        assertEquals(List.of(TAP), node.portsOf(BRIDGE));

        backend.power("web-1", PowerAction.FORCE_STOP);

        assertEquals(PowerState.STOPPED, state("web-1"));
        assertEquals(List.of(), node.portsOf(BRIDGE));
        assertTrue(node.launcher.last().onExit().isDone(), "the VMM process has ended");
        List<String> calls = node.launcher.last().calls();
        assertTrue(calls.indexOf("PUT vm.shutdown") < calls.indexOf("PUT vmm.shutdown"), calls.toString());
        assertFalse(Files.exists(node.runDir.resolve("web-1.sock")), "the socket is removed");
    }

    @Test
    void aGuestThatPowersOffTakesItsTapWithIt() {
        define("web-1");
        backend.power("web-1", PowerAction.START);

        backend.power("web-1", PowerAction.SHUTDOWN);

        await("web-1 STOPPED and its taps gone",
                () -> state("web-1") == PowerState.STOPPED && node.portsOf(BRIDGE).isEmpty());
        assertTrue(node.launcher.last().calls().contains("PUT vm.power-button"));
    }

    @Test
    void aGuestThatIgnoresThePowerButtonRunsOnUntilForceStopped() {
        define("web-1");
        backend.power("web-1", PowerAction.START);
        node.launcher.last().ignoreAcpi();

        backend.power("web-1", PowerAction.SHUTDOWN);

        assertEquals(PowerState.RUNNING, state("web-1"));
        backend.power("web-1", PowerAction.FORCE_STOP);
        assertEquals(PowerState.STOPPED, state("web-1"));
    }

    @Test
    void aBootCloudHypervisorRefusesIsABackendErrorWithItsReasonAndLeavesNothingBehind() throws IOException {
        Vm vm = define("web-1");
        Files.delete(Path.of(path(vm.disks().get(1))));

        QuantixException e = assertCode(ErrorCode.BACKEND_ERROR, () -> backend.power("web-1", PowerAction.START));

        assertTrue(e.getMessage().contains("vm.boot") && e.getMessage().contains(path(vm.disks().get(1))),
                e.getMessage());
        assertEquals(PowerState.STOPPED, state("web-1"));
        assertEquals(List.of(), node.portsOf(BRIDGE));
        assertTrue(node.launcher.last().onExit().isDone(), "the VMM of the failed start has ended");
    }

    @Test
    void devicesCloudHypervisorDoesNotHaveAreUnsupportedAndNothingIsRecorded() {
        VmSpec sataSpec = spec("web-1").disk(new DiskSpec("pool-a", Validation.MIB, VolumeFormat.RAW, DiskBus.SATA)).build();
        AttachedDisk sata = new AttachedDisk(new VolumeRef("pool-a", "root"), new DiskSource.File("/data/root.img"),
                VolumeFormat.RAW, DiskBus.SATA);
        VmSpec e1000Spec = spec("web-1").nic(new NicSpec("lan", Optional.empty(), NicModel.E1000)).build();
        AttachedNic e1000 = new AttachedNic("lan", PORT, "52:54:00:aa:bb:01", NicModel.E1000,
                new NicBinding.Bridge(BRIDGE));
        VmSpec cdrom = spec("web-1").boot(BootDevice.CDROM).build();

        // refused before the core makes a volume or port for it, and again at define
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.checkDefinable(sataSpec));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.checkDefinable(e1000Spec));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.checkDefinable(cdrom));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.checkDefinable(spec("web-1").firmware(Firmware.UEFI_SECURE_BOOT).build()));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.define(ID, sataSpec, List.of(sata), List.of()));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.define(ID, e1000Spec, List.of(), List.of(e1000)));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.define(ID, cdrom, List.of(), List.of()));
        assertEquals(List.of(), backend.list());
    }

    @Test
    void uefiIsAdvertisedOnlyWhileItsFirmwareIsInstalledAndBootsWithIt() throws IOException {
        assertEquals(Set.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT, Capability.PAUSE, Capability.METRICS,
                Capability.UEFI), backend.capabilities());
        backend.define(ID, spec("efi-1").firmware(Firmware.UEFI).build(), List.of(), List.of());
        backend.power("efi-1", PowerAction.START);
        assertEquals(node.uefiFirmware.toString(),
                node.launcher.last().config().path("payload").path("firmware").asText());

        Files.delete(node.uefiFirmware);

        assertFalse(backend.capabilities().contains(Capability.UEFI));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.define("0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
                spec("efi-2").firmware(Firmware.UEFI).build(), List.of(), List.of()));
    }

    @Test
    void aDirectBootVmBootsItsKernelInsteadOfFirmwareAndKeepsItInItsRecord() throws IOException {
        Path kernel = Files.writeString(dir.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(dir.resolve("initrd.img"), "i");
        VmSpec spec = spec("tiny-1").directBoot(new DirectBoot(kernel.toString(), initrd.toString(),
                "console=ttyS0 root=/dev/vda")).build();
        backend.define(ID, spec, List.of(), List.of());

        backend.power("tiny-1", PowerAction.START);

        JsonNode payload = node.launcher.last().config().path("payload");
        assertEquals(List.of(kernel.toString(), initrd.toString(), "console=ttyS0 root=/dev/vda"), List.of(
                payload.path("kernel").asText(), payload.path("initramfs").asText(), payload.path("cmdline").asText()));
        assertFalse(payload.has("firmware"), payload.toString());
        assertEquals(spec, backend.find("tiny-1").orElseThrow().spec());
    }

    @Test
    void aVmmWithoutARecordIsNamedAsUnmanagedAndLeftAlone() throws IOException {
        define("web-1");
        CloudHypervisorDouble foreign = new CloudHypervisorDouble(node.runDir.resolve("other.sock"), tap -> true);
        try {
            assertEquals(List.of("other"), backend.unmanaged());
            assertEquals(List.of("web-1"), backend.list().stream().map(Vm::name).toList());
            assertFalse(foreign.onExit().isDone());
        } finally {
            foreign.exit();
        }
        assertEquals(List.of(), foreign.violations());
    }

    @Test
    void eachVmIsOneJsonRecordWrittenWithoutLeftoversAndUndefineRemovesItsFiles() throws IOException {
        Vm vm = define("web-1");
        backend.power("web-1", PowerAction.START);
        backend.power("web-1", PowerAction.FORCE_STOP);

        JsonNode record = new ObjectMapper().readTree(node.runDir.resolve("web-1.json").toFile());
        assertEquals(ID, record.path("id").asText());
        assertEquals(vm, VmRecords.parse(record));
        backend.undefine("web-1");

        try (Stream<Path> left = Files.list(node.runDir)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void aFreshActivationAdoptsARunningVmWithoutTouchingItsVmm() {
        define("web-1");
        backend.power("web-1", PowerAction.START);
        backend.close();

        backend = node.open();

        assertEquals(PowerState.RUNNING, state("web-1"));
        assertEquals(1, node.launcher.launched(), "no second VMM");
        assertFalse(node.launcher.last().onExit().isDone(), "the VMM still runs");
        assertEquals(250_000_000L, backend.metrics("web-1").totalCpuNanos(), "the adopted VMM is supervised");
        backend.power("web-1", PowerAction.SHUTDOWN);
        await("web-1 STOPPED and its taps gone",
                () -> state("web-1") == PowerState.STOPPED && node.portsOf(BRIDGE).isEmpty());
    }

    @Test
    void aVmmThatDiedWhileTheNodeWasDownLeavesAStoppedVmThatStartsAgain() {
        define("web-1");
        backend.power("web-1", PowerAction.START);
        backend.close();
        node.launcher.last().exit();
        await("the VMM's exit", () -> node.launcher.last().onExit().isDone());

        backend = node.open();

        assertEquals(PowerState.STOPPED, state("web-1"));
        backend.power("web-1", PowerAction.START);
        assertEquals(PowerState.RUNNING, state("web-1"));
        assertEquals(2, node.launcher.launched());
        assertEquals(List.of(TAP), node.portsOf(BRIDGE));
    }

    @Test
    void metricsAddUpTheCountersOfEveryDiskAndNic() {
        define("web-1");
        VmMetrics stopped = backend.metrics("web-1");
        backend.power("web-1", PowerAction.START);

        VmMetrics running = backend.metrics("web-1");

        // The double counts 1000/100 bytes read/written per disk and 2000/200 received/sent per NIC and boot.
        assertEquals(List.of(2000L, 200L, 2000L, 200L), List.of(running.diskReadBytes(), running.diskWriteBytes(),
                running.netRxBytes(), running.netTxBytes()));
        // The double's VMM has run 250 ms, 200 of them in its vCPUs.
        assertEquals(List.of(200_000_000L, 250_000_000L, 50_000_000L),
                List.of(running.guestCpuNanos(), running.totalCpuNanos(), running.overheadCpuNanos()));
        assertEquals(2, running.vcpus());
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L), List.of(stopped.guestCpuNanos(), stopped.totalCpuNanos(),
                stopped.diskReadBytes(), stopped.diskWriteBytes(), stopped.netRxBytes(), stopped.netTxBytes()));
    }

    @Test
    void tapNamesComeFromThePortIdAndTwoNicsCannotShareOne() {
        define("web-1");
        AttachedNic sameTap = new AttachedNic("lan", PORT.replace("c5b", "000"), "52:54:00:aa:bb:09", NicModel.VIRTIO,
                new NicBinding.Bridge(BRIDGE));

        assertEquals(TAP, Taps.name(nic()));
        assertTrue(TAP.length() <= 15);
        assertCode(ErrorCode.CONFLICT, () -> backend.define("0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
                spec("web-2").build(), List.of(), List.of(sameTap)));
    }

    @Test
    void cloudHypervisorStatusesMapToQuantixCodes() {
        assertEquals(ErrorCode.CONFLICT, ChErrors.fromStatus("web-1", "vm.pause", 404, "").code());
        assertEquals(ErrorCode.CONFLICT, ChErrors.fromStatus("web-1", "vm.pause", 405, "").code());
        QuantixException failed = ChErrors.fromStatus("web-1", "vm.boot", 500, "\"VmBoot(\nOpenDisk)\"");
        assertEquals(ErrorCode.BACKEND_ERROR, failed.code());
        assertTrue(failed.getMessage().endsWith("failed with HTTP 500: \"VmBoot( OpenDisk)\""), failed.getMessage());
    }

    @Test
    void theOracleRejectsARequestThatBreaksTheSpec() throws IOException {
        CloudHypervisorDouble vmm = new CloudHypervisorDouble(dir.resolve("raw.sock"), tap -> true);
        try {
            UnixHttpClient.Response r = new UnixHttpClient(dir.resolve("raw.sock"), Duration.ofSeconds(10))
                    .send("PUT", "/api/v1/vm.create", "{\"cpus\":{\"boot_vcpus\":1}}");

            assertEquals(400, r.status());
            assertTrue(vmm.violations().stream().anyMatch(v -> v.contains("payload")), vmm.violations().toString());
            assertTrue(vmm.violations().stream().anyMatch(v -> v.contains("max_vcpus")), vmm.violations().toString());
        } finally {
            vmm.exit();
        }
    }

    @Test
    void theOracleRejectsAnAnswerThatBreaksTheSpec() {
        assertFalse(OpenApiOracle.checkResponse("GET", "/api/v1/vm.info", 200, "application/json",
                "{\"state\":\"Running\"}").isEmpty(), "vm.info without its config");
        assertFalse(OpenApiOracle.checkResponse("GET", "/api/v1/vm.info", 200, "application/json",
                "{\"config\":{\"payload\":{}},\"state\":\"Booting\"}").isEmpty(), "a state CH does not have");
        assertFalse(OpenApiOracle.checkResponse("PUT", "/api/v1/vm.boot", 405, "application/json", "").isEmpty(),
                "vm.boot documents no 405");
        assertEquals(List.of(), OpenApiOracle.checkResponse("PUT", "/api/v1/vm.boot", 500, "application/json",
                "\"VmBoot\""), "500 is CH's generic error");
    }

    @Test
    void aClosedBackendIsUnavailable() {
        backend.close();

        assertCode(ErrorCode.BACKEND_UNAVAILABLE, () -> backend.list());
    }

    private Vm define(String name) {
        return backend.define(ID, spec(name).build(), disks(), List.of(nic()));
    }

    private VmSpec.Builder spec(String name) {
        return VmSpec.builder(name).hypervisor(CloudHypervisorBackend.NAME).vcpus(2).memoryMiB(768);
    }

    private List<AttachedDisk> disks() {
        try {
            Path root = Files.writeString(dir.resolve("root.qcow2"), "");
            Path data = Files.writeString(dir.resolve("data.img"), "");
            return List.of(
                    new AttachedDisk(new VolumeRef("pool-a", "root"), new DiskSource.File(root.toString()),
                            VolumeFormat.QCOW2, DiskBus.VIRTIO),
                    new AttachedDisk(new VolumeRef("pool-b", "data"), new DiskSource.File(data.toString()),
                            VolumeFormat.RAW, DiskBus.VIRTIO));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static AttachedNic nic() {
        return new AttachedNic("lan", PORT, "52:54:00:aa:bb:01", NicModel.VIRTIO, new NicBinding.Bridge(BRIDGE));
    }

    private static String path(AttachedDisk disk) {
        return ((DiskSource.File) disk.source()).path();
    }

    private PowerState state(String name) {
        return backend.find(name).orElseThrow().state();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static QuantixException assertCode(ErrorCode expected, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(expected, e.code(), e.getMessage());
        return e;
    }
}
