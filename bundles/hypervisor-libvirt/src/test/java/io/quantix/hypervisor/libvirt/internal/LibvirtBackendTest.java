package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.MigrationSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** Runs the backend on libvirt's real test driver (libvirt0 via JNA), on a node file in a temp directory. */
class LibvirtBackendTest {
    private static final String ID_2 = "9b2e6c1d-5f4a-4e3b-8c7d-1a2b3c4d5e6f";
    private static final String DISK = "/data/pool-a/root&<>'\".qcow2";

    @TempDir
    Path dir;
    private Path nodeFile;
    private LibvirtBackend backend;

    @BeforeEach
    void open() {
        nodeFile = dir.resolve("state/libvirt-test-node.xml");
        backend = start();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void defineReturnsTheVmAsGivenAndStopped() {
        Vm vm = define("web-1", Fixtures.ID);

        assertEquals(new Vm(Fixtures.ID, Fixtures.spec("web-1"), PowerState.STOPPED, Fixtures.disks(DISK),
                Fixtures.nics()), vm);
        assertEquals(List.of(vm), backend.list());
        assertEquals(vm, backend.find("web-1").orElseThrow());
    }

    @Test
    void fullLifecycle() {
        define("web-1", Fixtures.ID);

        powerAndExpect(PowerAction.START, PowerState.RUNNING);
        powerAndExpect(PowerAction.PAUSE, PowerState.PAUSED);
        powerAndExpect(PowerAction.RESUME, PowerState.RUNNING);
        powerAndExpect(PowerAction.REBOOT, PowerState.RUNNING);
        powerAndExpect(PowerAction.FORCE_STOP, PowerState.STOPPED);
        powerAndExpect(PowerAction.START, PowerState.RUNNING);
        // The test driver's guest obeys ACPI at once; a real one takes its time (SHUTTING_DOWN, then STOPPED).
        powerAndExpect(PowerAction.SHUTDOWN, PowerState.STOPPED);
        backend.undefine("web-1");

        assertTrue(backend.find("web-1").isEmpty());
        assertEquals(List.of(), backend.list());
    }

    @Test
    void aTakenNameOrIdIsAlreadyExists() {
        define("web-1", Fixtures.ID);

        assertCode(ErrorCode.ALREADY_EXISTS, () -> define("web-1", ID_2));
        assertCode(ErrorCode.ALREADY_EXISTS, () -> define("web-2", Fixtures.ID));
        assertEquals(1, backend.list().size());
    }

    @Test
    void powerActionsTheStateForbidsAreConflicts() {
        define("web-1", Fixtures.ID);

        assertCode(ErrorCode.CONFLICT, () -> backend.power("web-1", PowerAction.PAUSE));
        assertCode(ErrorCode.CONFLICT, () -> backend.power("web-1", PowerAction.SHUTDOWN));
        assertCode(ErrorCode.CONFLICT, () -> backend.power("web-1", PowerAction.FORCE_STOP));
        backend.power("web-1", PowerAction.START);
        assertCode(ErrorCode.CONFLICT, () -> backend.power("web-1", PowerAction.START));
        assertCode(ErrorCode.CONFLICT, () -> backend.power("web-1", PowerAction.RESUME));
        assertEquals(PowerState.RUNNING, state("web-1"));
    }

    @Test
    void undefiningARunningVmIsAConflictAndKeepsIt() {
        define("web-1", Fixtures.ID);
        backend.power("web-1", PowerAction.START);

        assertCode(ErrorCode.CONFLICT, () -> backend.undefine("web-1"));
        assertEquals(PowerState.RUNNING, state("web-1"));
        backend.power("web-1", PowerAction.FORCE_STOP);
        backend.undefine("web-1");
        assertTrue(backend.find("web-1").isEmpty());
    }

    @Test
    void anUnknownVmIsNotFound() {
        assertTrue(backend.find("ghost").isEmpty());
        assertCode(ErrorCode.NOT_FOUND, () -> backend.power("ghost", PowerAction.START));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.undefine("ghost"));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.metrics("ghost"));
    }

    @Test
    void aNewBackendOnTheSameNodeFileSeesVmsMetadataAndPowerStates() {
        Vm running = define("web-1", Fixtures.ID);
        Vm stopped = define("web-2", ID_2);
        backend.power("web-1", PowerAction.START);
        Vm gone = define("web-3", "0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d");
        backend.undefine("web-3");
        backend.close();

        backend = start();

        assertEquals(running.withState(PowerState.RUNNING), backend.find("web-1").orElseThrow());
        assertEquals(stopped, backend.find("web-2").orElseThrow());
        assertTrue(backend.find(gone.name()).isEmpty());
        assertEquals(Set.of("prod", "web"), backend.find("web-1").orElseThrow().spec().tags());
    }

    @Test
    void aPausedVmStaysPausedAcrossARestart() {
        define("web-1", Fixtures.ID);
        backend.power("web-1", PowerAction.START);
        backend.power("web-1", PowerAction.PAUSE);
        backend.close();

        backend = start();

        assertEquals(PowerState.PAUSED, state("web-1"));
        backend.power("web-1", PowerAction.RESUME);
        assertEquals(PowerState.RUNNING, state("web-1"));
    }

    @Test
    void theNodeFileKeepsTheRunStateAsADirectChildOfEachDomain() throws IOException {
        define("web-1", Fixtures.ID);
        backend.power("web-1", PowerAction.START);
        // a clean stop leaves the whole state in the file
        backend.close();

        Element node = Xml.parse(Files.readString(nodeFile)).getDocumentElement();
        Element domain = Xml.first(node, "domain");
        Element runState = Xml.first(domain, TestNodeFile.TEST_NS, "runstate");
        assertEquals("1", runState.getTextContent());
        assertTrue(Files.list(nodeFile.getParent()).allMatch(nodeFile::equals), "no temp file is left behind");
    }

    /** A node killed while it saved the node file leaves the save's temporary file: the next start removes it. */
    @Test
    void aSaveInterruptedByAKillLeavesNoTempFileAfterTheRestart() throws IOException {
        define("web-1", Fixtures.ID);
        backend.close();
        Path interrupted = Files.writeString(nodeFile.resolveSibling(nodeFile.getFileName() + "8412345.tmp"), "<node><dom");
        Path unrelated = Files.writeString(nodeFile.resolveSibling("notes.tmp"), "mine");

        backend = start();

        assertTrue(Files.notExists(interrupted), "the half-written save is gone");
        assertTrue(Files.exists(unrelated), "a file that is not the node file's is left alone");
        assertEquals("web-1", backend.find("web-1").orElseThrow().name());
    }

    @Test
    void metricsOfARunningVmCountCpusMemoryAndDevices() {
        define("web-1", Fixtures.ID);
        VmMetrics stopped = backend.metrics("web-1");
        backend.power("web-1", PowerAction.START);

        VmMetrics running = backend.metrics("web-1");

        assertEquals("web-1", running.vm());
        assertEquals(2, running.vcpus());
        assertEquals(768 * Validation.MIB, running.memoryBytes());
        // The test driver's vCPUs report CPU time too, and the domain's total is never below their sum.
        assertTrue(running.guestCpuNanos() > 0, "guest CPU time of a running VM: " + running);
        assertTrue(running.totalCpuNanos() >= running.guestCpuNanos(), running.toString());
        assertEquals(0, stopped.guestCpuNanos(), "a stopped VM's vCPUs run nothing");
        // The test driver invents counters for every disk and NIC; a stopped VM has none.
        assertTrue(running.diskReadBytes() > 0 && running.netRxBytes() > 0, running.toString());
        assertEquals(0, stopped.diskReadBytes() + stopped.diskWriteBytes() + stopped.netRxBytes() + stopped.netTxBytes());
    }

    @Test
    /** The test driver's bulk call has no counters, so this runs the per-domain fallback; LibvirtBulkStatsIT the bulk call. */
    void bulkMetricsAgreeWithPerDomainOnesForRunningAndStoppedVmsAndSkipUnknownOnes() {
        Vm running = define("web-1", Fixtures.ID);
        Vm stopped = define("web-2", ID_2);
        backend.power("web-1", PowerAction.START);
        Vm ghost = new Vm("0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", Fixtures.spec("ghost"), PowerState.STOPPED,
                List.of(), List.of());

        VmMetrics before = backend.metrics("web-1");
        VmMetrics stoppedBefore = backend.metrics("web-2");
        Map<String, VmMetrics> bulk = backend.metricsAll(List.of(running, stopped, ghost));
        VmMetrics after = backend.metrics("web-1");
        VmMetrics stoppedAfter = backend.metrics("web-2");

        assertEquals(Set.of("web-1", "web-2"), bulk.keySet(), "a VM libvirt does not have is left out");
        BulkMetricsCheck.assertBetween(before, bulk.get("web-1"), after);
        assertEquals(List.of("vda", "sda"), BulkMetricsCheck.devices(bulk.get("web-1")), "Quantix's disks");
        BulkMetricsCheck.assertBetween(stoppedBefore, bulk.get("web-2"), stoppedAfter);
        assertEquals(0, bulk.get("web-2").guestCpuNanos(), "a stopped VM's vCPUs run nothing");
        assertTrue(bulk.get("web-2").disks().isEmpty() && bulk.get("web-2").nics().isEmpty(), "nor its devices");
    }


    @Test
    void uefiVmsAreAcceptedByTheDriverWithSecureBootOff() throws IOException {
        VmSpec spec = VmSpec.builder("efi-1").firmware(Firmware.UEFI).build();
        backend.define(Fixtures.ID, spec, List.of(), List.of());
        backend.power("efi-1", PowerAction.START);

        assertEquals(Firmware.UEFI, backend.find("efi-1").orElseThrow().spec().firmware());
        backend.close();
        String saved = Files.readString(nodeFile);
        assertTrue(saved.contains("firmware=\"efi\"") && saved.contains("name=\"secure-boot\""), saved);
    }

    @Test
    void theTestDriverCannotMigrateOrAutostartAndTheVmStaysAsItWas() {
        define("web-1", Fixtures.ID);

        assertCode(ErrorCode.UNSUPPORTED, () -> backend.setAutostart("web-1", true));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.autostart("web-1"));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.migrate("web-1", MigrationSpec.live("test:///default"), p -> { }));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.cancelMigration("web-1"));
        assertEquals(PowerState.STOPPED, backend.find("web-1").orElseThrow().state());
    }

    @Test
    void advertisesWhatItImplementsAndSaysItIsSimulated() {
        assertEquals(Set.of(Capability.GRACEFUL_SHUTDOWN, Capability.PAUSE, Capability.REBOOT, Capability.UEFI, Capability.SECURE_BOOT,
                Capability.METRICS, Capability.SNAPSHOT, Capability.LIFECYCLE_EVENTS, Capability.CLOUD_INIT),
                backend.capabilities());
        assertTrue(backend.simulated());
        assertTrue(backend.description().contains("SIMULATED"), backend.description());
        assertTrue(backend.description().contains(ConnectionTarget.testNode(nodeFile).uri()), backend.description());
    }

    @Test
    void domainsQuantixDidNotDefineAreInvisibleButTheirNamesAreTaken() throws IOException {
        backend.close();
        Files.writeString(nodeFile, "<node><domain type='test'><name>foreign</name><memory>65536</memory>"
                + "<os><type>hvm</type></os></domain></node>");
        backend = start();

        assertEquals(List.of(), backend.list());
        assertTrue(backend.find("foreign").isEmpty());
        assertCode(ErrorCode.NOT_FOUND, () -> backend.power("foreign", PowerAction.START));
        assertCode(ErrorCode.ALREADY_EXISTS, () -> define("foreign", Fixtures.ID));
    }

    @Test
    void domainsWithoutQuantixMetadataAreReportedAsUnmanaged() throws IOException {
        backend.close();
        Files.writeString(nodeFile, "<node><domain type='test'><name>foreign</name><memory>65536</memory>"
                + "<os><type>hvm</type></os></domain></node>");
        backend = start();
        define("web-1", Fixtures.ID);

        assertEquals(List.of("foreign"), backend.unmanaged());
    }

    @Test
    void libvirtsDefaultTestNodeHasOneUnmanagedDomainNamedTest() {
        LibvirtBackend onDefault = new LibvirtBackend();
        onDefault.open(ConnectionTarget.resolve(ConnectionTarget.DEFAULT_TEST_URI, false, dir));
        try {
            assertEquals(List.of("test"), onDefault.unmanaged());
            assertEquals(List.of(), onDefault.list());
        } finally {
            onDefault.close();
        }
    }

    @Test
    void aClosedBackendIsUnavailable() {
        backend.close();

        assertCode(ErrorCode.BACKEND_UNAVAILABLE, () -> backend.list());
    }

    @Test
    void aVmForAnotherHypervisorIsRejected() {
        VmSpec spec = VmSpec.builder("web-1").hypervisor("xen").build();

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.define(Fixtures.ID, spec, List.of(), List.of()));
    }

    @Test
    void networkDisksAreAcceptedByLibvirtAndReadBackWithTheirSecretsStored() {
        List<io.quantix.api.AttachedDisk> disks = NetworkDisksTest.networkDisks();
        backend.define(Fixtures.ID, Fixtures.spec("web-1"), disks, Fixtures.nics());
        backend.close();
        backend = start();

        assertEquals(List.of(disks.get(0), NetworkDisksTest.stored(disks.get(1)), NetworkDisksTest.stored(disks.get(2))),
                backend.find("web-1").orElseThrow().disks());
    }

    private LibvirtBackend start() {
        LibvirtBackend started = new LibvirtBackend();
        started.open(ConnectionTarget.testNode(nodeFile));
        return started;
    }

    private Vm define(String name, String id) {
        return backend.define(id, Fixtures.spec(name), Fixtures.disks(DISK), Fixtures.nics());
    }

    private void powerAndExpect(PowerAction action, PowerState expected) {
        backend.power("web-1", action);
        assertEquals(expected, state("web-1"), "after " + action);
    }

    private PowerState state(String name) {
        return backend.find(name).orElseThrow().state();
    }

    private static void assertCode(ErrorCode expected, Runnable call) {
        QuantixException e = assertThrows(QuantixException.class, call::run);
        assertEquals(expected, e.code(), e.getMessage());
    }
}
