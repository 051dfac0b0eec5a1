package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quantix.api.Vm;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.proto.node.v1.ChangePasswordRequest;
import io.quantix.proto.node.v1.CreateSnapshotRequest;
import io.quantix.proto.node.v1.CreateVMRequest;
import io.quantix.proto.node.v1.CreateVolumeRequest;
import io.quantix.proto.node.v1.Credentials;
import io.quantix.proto.node.v1.DeleteVMRequest;
import io.quantix.proto.node.v1.DiskSpec;
import io.quantix.proto.node.v1.Event;
import io.quantix.proto.node.v1.ImportVolumeRequest;
import io.quantix.proto.node.v1.ListVMsRequest;
import io.quantix.proto.node.v1.ListVMsResponse;
import io.quantix.proto.node.v1.MigrateVMRequest;
import io.quantix.proto.node.v1.MigrationProgress;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc.NodeDaemonServiceBlockingStub;
import io.quantix.proto.node.v1.PoolRequest;
import io.quantix.proto.node.v1.PowerState;
import io.quantix.proto.node.v1.SnapshotRequest;
import io.quantix.proto.node.v1.StreamEventsRequest;
import io.quantix.proto.node.v1.StreamMetricsRequest;
import io.quantix.proto.node.v1.CloneVolumeRequest;
import io.quantix.proto.node.v1.VM;
import io.quantix.proto.node.v1.VMMetrics;
import io.quantix.proto.node.v1.VMRequest;
import io.quantix.proto.node.v1.VMSpec;
import io.quantix.proto.node.v1.VolumeFormat;
import io.quantix.proto.node.v1.VolumeRequest;
import io.quantix.security.TlsMaterial;
import java.io.IOException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.inject.Inject;
import javax.net.ssl.TrustManagerFactory;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The gRPC API as a client meets it: a real gRPC channel over TLS that trusts only the node's own certificate,
 * against the distribution on libvirt's test driver. First-boot setup and tokens, a VM's whole life with an event
 * on the stream for each power action, a snapshot, hostile input, migration on a backend that cannot migrate,
 * storage, the node, health and reflection. The tests run in name order: the first one sets the admin up.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class GrpcIT extends QuantixTestSupport {
    /** Read in the container, where the test support put the gRPC server's port. */
    private static final int PORT = Integer.getInteger(GRPC_PORT, 0);
    private static final String USER = "admin";
    private static final String PASSWORD = "correct horse battery";
    private static final String NEW_PASSWORD = "a new long password";
    private static final Metadata.Key<String> ERROR_CODE =
            Metadata.Key.of("quantix-error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static ManagedChannel channel;
    private static String token;

    @Inject
    TlsMaterial tls;
    @Inject
    VmService vms;
    @Inject
    StorageService storage;
    private static final long NODE_UPLOAD_LIMIT = 3L << 20;

    @Override
    @Configuration
    public Option[] config() {
        try {
            // a short path for the data directory: VM agent sockets live below it (see RestIT)
            return OptionUtils.combine(super.config(), editConfigurationFilePut("etc/system.properties",
                    "quantix.data.dir", java.nio.file.Files.createTempDirectory("qxgrpc").toString()),
                    // open streams re-check their token every second instead of 15, so t8 ends quickly
                    editConfigurationFilePut("etc/io.quantix.grpc.cfg", "tokenCheckSeconds", "1"),
                    // the node's upload limit, lower than what t7's client claims for itself
                    editConfigurationFilePut("etc/io.quantix.edge.cfg", "maxUploadBytes", String.valueOf(NODE_UPLOAD_LIMIT)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- tests: t1 first, on the fresh node; the others need only the admin, which login() makes sure of ----

    @Test
    public void t1_onlyHealthUntilSetupThenEveryCallNeedsAToken() throws Exception {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel());
        await("the gRPC API serves", () -> {
            try {
                return health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                        .getStatus() == ServingStatus.SERVING;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService(NodeDaemonServiceGrpc.SERVICE_NAME).build()).getStatus());

        StatusRuntimeException beforeSetup = assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED",
                () -> anonymous().listVMs(ListVMsRequest.getDefaultInstance()));
        assertTrue(beforeSetup.getStatus().getDescription().contains("Setup"));
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> anonymous().login(credentials(PASSWORD)));

        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> anonymous().setup(credentials("short")));
        anonymous().setup(credentials(PASSWORD));
        assertStatus(Status.Code.ALREADY_EXISTS, "ALREADY_EXISTS", () -> anonymous().setup(credentials("another password!")));

        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> anonymous().listVMs(ListVMsRequest.getDefaultInstance()));
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED",
                () -> as("not-a-token").listVMs(ListVMsRequest.getDefaultInstance()));
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED",
                () -> anonymous().login(credentials("wrong password!!")));

        String session = login();
        assertNotNull(as(session).listVMs(ListVMsRequest.getDefaultInstance()));
        as(session).logout(Empty.getDefaultInstance());
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED",
                () -> as(session).listVMs(ListVMsRequest.getDefaultInstance()));

        // reflection, like REST's openapi.json, describes the API without a token
        Set<String> services = reflectedServices();
        assertTrue(services.toString(), services.contains(NodeDaemonServiceGrpc.SERVICE_NAME));
        assertTrue(services.toString(), services.contains("grpc.health.v1.Health"));
    }

    @Test
    public void t2_plainTextIsNotServed() throws Exception {
        ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", PORT, InsecureChannelCredentials.create())
                .build();
        try {
            StatusRuntimeException e = assertThrows(() -> HealthGrpc.newBlockingStub(plain)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
            assertEquals(e.toString(), Status.Code.UNAVAILABLE, e.getStatus().getCode());
        } finally {
            plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    public void t3_vmLifecycleWithAnEventOnTheStreamForEachPowerAction() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        Stream<Event> events = new Stream<>();
        NodeDaemonServiceGrpc.newStub(channel()).withInterceptors(bearer(token()))
                .streamEvents(StreamEventsRequest.newBuilder().addKinds("VM").setSubject("life1").build(), events);
        Event first = events.next();
        assertEquals("STREAM", first.getKind());
        assertEquals("SUBSCRIBED", first.getType());

        VM created = node.createVM(CreateVMRequest.newBuilder().setSpec(spec("life1")
                .addDisks(DiskSpec.newBuilder().setPool("default").setSizeBytes(64L << 20))).build());
        assertEquals(PowerState.STOPPED, created.getState());
        assertEquals(1, created.getDisksCount());
        assertEquals(created.getId(), node.getVMStatus(vm("life1")).getId());
        assertEquals("CREATED", events.next(e -> e.getType().equals("CREATED")).getType());
        assertTrue(volumes().stream().anyMatch(v -> v.startsWith("life1")));

        assertEquals(PowerState.RUNNING, node.startVM(vm("life1")).getState());
        assertEvent(events, "STARTED");
        assertEquals(PowerState.PAUSED, node.pauseVM(vm("life1")).getState());
        assertEvent(events, "PAUSED");
        assertEquals(PowerState.RUNNING, node.resumeVM(vm("life1")).getState());
        assertEvent(events, "RESUMED");
        node.rebootVM(vm("life1"));
        assertEvent(events, "REBOOTED");
        node.stopVM(vm("life1"));
        assertEvent(events, "SHUTDOWN_REQUESTED");
        await("life1 is off", () -> node.getVMStatus(vm("life1")).getState() == PowerState.STOPPED);
        node.startVM(vm("life1"));
        assertEvent(events, "STARTED");

        assertEquals(1, node.listVMs(ListVMsRequest.newBuilder().setState(PowerState.RUNNING).setTag("life").build())
                .getTotal());
        assertStatus(Status.Code.FAILED_PRECONDITION, "CONFLICT",
                () -> node.deleteVM(DeleteVMRequest.newBuilder().setName("life1").setDeleteVolumes(true).build()));
        assertEquals(PowerState.STOPPED, node.forceStopVM(vm("life1")).getState());
        assertEvent(events, "STOPPED");
        node.deleteVM(DeleteVMRequest.newBuilder().setName("life1").setDeleteVolumes(true).build());
        assertEvent(events, "DELETED");
        assertStatus(Status.Code.NOT_FOUND, "NOT_FOUND", () -> node.getVMStatus(vm("life1")));
        assertFalse(volumes().stream().anyMatch(v -> v.startsWith("life1")));
        events.cancel();
    }

    @Test
    public void t4_aSnapshotIsTakenListedRevertedAndDeleted() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        node.createVM(CreateVMRequest.newBuilder().setSpec(spec("snap1")).setStart(true).build());
        // a running VM's snapshot must keep its memory, or the disks would not match what the guest had written
        assertStatus(Status.Code.FAILED_PRECONDITION, "CONFLICT", () -> node.createSnapshot(
                CreateSnapshotRequest.newBuilder().setVm("snap1").setName("plain").build()));
        var taken = node.createSnapshot(CreateSnapshotRequest.newBuilder().setVm("snap1").setName("before")
                .setIncludeMemory(true).setDescription("before the change").build());
        assertEquals("before", taken.getName());
        assertEquals(PowerState.RUNNING, taken.getStateAtSnapshot());
        assertEquals(List.of("before"), node.listSnapshots(vm("snap1")).getSnapshotsList().stream()
                .map(s -> s.getName()).toList());
        assertStatus(Status.Code.ALREADY_EXISTS, "ALREADY_EXISTS", () -> node.createSnapshot(
                CreateSnapshotRequest.newBuilder().setVm("snap1").setName("before").setIncludeMemory(true).build()));

        node.forceStopVM(vm("snap1"));
        VM reverted = node.revertSnapshot(SnapshotRequest.newBuilder().setVm("snap1").setSnapshot("before").build());
        assertEquals(PowerState.RUNNING, reverted.getState());
        node.deleteSnapshot(SnapshotRequest.newBuilder().setVm("snap1").setSnapshot("before").build());
        assertEquals(0, node.listSnapshots(vm("snap1")).getSnapshotsCount());
        assertStatus(Status.Code.NOT_FOUND, "NOT_FOUND",
                () -> node.deleteSnapshot(SnapshotRequest.newBuilder().setVm("snap1").setSnapshot("before").build()));
    }

    @Test
    public void t5_badInputIsRefusedWithoutChangingAnything() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        Set<String> vmsBefore = vmNames();
        List<String> volumesBefore = volumes();
        for (String name : List.of("../etc", "<vm>&amp;\"'", "a b", "x".repeat(64), "")) {
            assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT",
                    () -> node.createVM(CreateVMRequest.newBuilder().setSpec(spec(name)).build()));
            assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.getVMStatus(vm(name)));
            assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.deleteVM(
                    DeleteVMRequest.newBuilder().setName(name).setDeleteVolumes(true).build()));
        }
        VMSpec.Builder good = spec("hostile1").addDisks(DiskSpec.newBuilder().setPool("default").setSizeBytes(64L << 20));
        List<Function<VMSpec.Builder, VMSpec.Builder>> hostile = List.of(
                s -> s.setVcpus(-1),
                s -> s.setVcpus(100_000),
                s -> s.setMemoryMib(-5),
                s -> s.setMemoryMib(Long.MAX_VALUE),
                s -> s.setFirmwareValue(42),
                s -> s.setDisks(0, DiskSpec.newBuilder().setPool("default").setSizeBytes(-1)),
                s -> s.setDisks(0, DiskSpec.newBuilder().setPool("default").setSizeBytes(Long.MAX_VALUE)),
                s -> s.setDisks(0, DiskSpec.newBuilder().setPool("../../etc").setSizeBytes(64L << 20)),
                s -> s.addNics(io.quantix.proto.node.v1.NicSpec.newBuilder().setNetwork("default").setMac("ff:ff:ff:ff:ff:ff")),
                s -> s.addTags("<b>"),
                s -> s.addBootOrderValue(9));
        for (var change : hostile) {
            VMSpec spec = change.apply(good.clone()).build();
            assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT",
                    () -> node.createVM(CreateVMRequest.newBuilder().setSpec(spec).setStart(true).build()));
        }
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT",
                () -> node.listVMs(ListVMsRequest.newBuilder().setLimit(5000).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT",
                () -> node.listVMs(ListVMsRequest.newBuilder().setOffset(-1).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT",
                () -> node.listVMs(ListVMsRequest.newBuilder().setStateValue(77).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.createVolume(CreateVolumeRequest
                .newBuilder().setPool("default").setName("huge").setSizeBytes(Long.MAX_VALUE).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.deleteVolume(VolumeRequest
                .newBuilder().setPool("default").setVolume("../../etc/passwd").build()));
        assertStatus(Status.Code.NOT_FOUND, "NOT_FOUND", () -> node.startVM(vm("nosuch")));
        assertStatus(Status.Code.NOT_FOUND, "NOT_FOUND", () -> node.listVolumes(PoolRequest.newBuilder().setName("nosuch").build()));

        assertEquals(vmsBefore, vmNames());
        assertEquals(volumesBefore, volumes());
    }

    @Test
    public void t6a_hostPathsOutsideTheAllowedFoldersAreRefusedAndNothingIsMade() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.createVM(CreateVMRequest.newBuilder()
                .setSpec(spec("boot1").setDirectBoot(io.quantix.proto.node.v1.DirectBoot.newBuilder()
                        .setKernel("/etc/shadow").setInitrd("/etc/shadow"))).build()));
        assertFalse(node.listVMs(ListVMsRequest.getDefaultInstance()).getVmsList().stream()
                .anyMatch(v -> v.getSpec().getName().equals("boot1")));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.createStoragePool(
                io.quantix.proto.node.v1.StoragePoolSpec.newBuilder().setName("etcpool").setBackend("dir")
                        .putOptions("path", "/etc/quantix-pool").build()));
        assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/etc/quantix-pool")));

        node.createVM(CreateVMRequest.newBuilder().setSpec(spec("media1")).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.changeMedia(
                io.quantix.proto.node.v1.ChangeMediaRequest.newBuilder().setVm("media1").setIsoPath("/etc/shadow").build()));
        node.deleteVM(DeleteVMRequest.newBuilder().setName("media1").build());
    }

    @Test
    public void t6_migrationOnABackendThatCannotMigrateEndsTheStreamUnimplemented() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        VM before = node.createVM(CreateVMRequest.newBuilder().setSpec(spec("mig1")).setStart(true).build());
        MigrateVMRequest request = MigrateVMRequest.newBuilder().setName("mig1")
                .setTargetUri("qemu+tcp://127.0.0.1/system").setLive(true).build();

        Stream<MigrationProgress> progress = new Stream<>();
        NodeDaemonServiceGrpc.newStub(channel()).withInterceptors(bearer(token())).migrateVM(request, progress);
        StatusRuntimeException end = progress.failure();
        assertEquals(end.toString(), Status.Code.UNIMPLEMENTED, end.getStatus().getCode());
        assertEquals("UNSUPPORTED", Status.trailersFromThrowable(end).get(ERROR_CODE));
        assertEquals("no progress message before the error", 0, progress.received);
        // the blocking form reads the same stream
        assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED", () -> node.migrateVM(request).hasNext());
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT",
                () -> node.migrateVM(request.toBuilder().setTargetUri("no scheme").build()).hasNext());
        // a URI that would run or read something on this node is refused before any hypervisor sees it
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.migrateVM(request.toBuilder()
                .setTargetUri("qemu+ext:///system?command=/bin/sh").build()).hasNext());
        assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED", () -> node.cancelMigration(vm("mig1")));

        VM after = node.getVMStatus(vm("mig1"));
        assertEquals(before.getId(), after.getId());
        assertEquals(PowerState.RUNNING, after.getState());
    }

    /** The simulated node's VMs have no guest agent: GuestAgentService says so (UNSUPPORTED) once the input is checked. */
    @Test
    public void t6b_guestAgentCallsOnAVmWithoutAnAgent() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        node.createVM(CreateVMRequest.newBuilder().setSpec(spec("agent1")).setStart(true).build());
        var agents = io.quantix.proto.node.v1.GuestAgentServiceGrpc.newBlockingStub(channel())
                .withDeadlineAfter(30, TimeUnit.SECONDS).withInterceptors(bearer(token()));
        StatusRuntimeException status = assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED",
                () -> agents.getGuestAgent(vm("agent1")));
        assertTrue(status.toString(), status.getStatus().getDescription().contains("simulated"));
        assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED", () -> agents.guestExec(
                io.quantix.proto.node.v1.GuestExecRequest.newBuilder().setVm("agent1").addCommand("true").build()));
        assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED", () -> agents.quiesceFilesystems(vm("agent1")));
        assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED", () -> agents.thawFilesystems(vm("agent1")));
        assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED", () -> agents.syncGuestTime(vm("agent1")));
        StatusRuntimeException password = assertStatus(Status.Code.UNIMPLEMENTED, "UNSUPPORTED",
                () -> agents.setGuestPassword(io.quantix.proto.node.v1.SetGuestPasswordRequest.newBuilder()
                        .setVm("agent1").setUser("root").setPassword("Tr0ub4dor&3").build()));
        assertFalse(password.toString(), password.toString().contains("Tr0ub4dor"));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> agents.guestExec(
                io.quantix.proto.node.v1.GuestExecRequest.newBuilder().setVm("agent1").build()));
        assertStatus(Status.Code.NOT_FOUND, "NOT_FOUND", () -> agents.getGuestAgent(vm("no-such-vm")));
        // without a token, nothing
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> io.quantix.proto.node.v1.GuestAgentServiceGrpc
                .newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS).getGuestAgent(vm("agent1")));
        node.forceStopVM(vm("agent1"));
        node.deleteVM(DeleteVMRequest.newBuilder().setName("agent1").setDeleteVolumes(true).build());
    }

    @Test
    public void t7_storageTheNodeAndMetrics() throws Exception {
        NodeDaemonServiceBlockingStub node = node();
        assertTrue(node.getNodeInfo(Empty.getDefaultInstance()).getSimulated());
        assertTrue(node.listStoragePools(Empty.getDefaultInstance()).getPoolsList().stream()
                .anyMatch(p -> p.getSpec().getName().equals("default")));

        var volume = node.createVolume(CreateVolumeRequest.newBuilder().setPool("default").setName("data1")
                .setSizeBytes(8L << 20).setFormat(VolumeFormat.RAW).build());
        assertEquals(8L << 20, volume.getCapacity());
        assertTrue(volumes().contains("data1"));
        var clone = node.cloneVolume(CloneVolumeRequest.newBuilder()
                .setPool("default").setSource("data1").setTarget("data2").build());
        assertEquals(8L << 20, clone.getCapacity());
        assertTrue(volumes().contains("data2"));
        // a taken name or a hostile one: refused, nothing created or overwritten
        assertStatus(Status.Code.ALREADY_EXISTS, "ALREADY_EXISTS", () -> node.cloneVolume(CloneVolumeRequest
                .newBuilder().setPool("default").setSource("data1").setTarget("data2").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> node.cloneVolume(CloneVolumeRequest
                .newBuilder().setPool("default").setSource("data1").setTarget("../data3").build()));
        assertEquals(2, volumes().stream().filter(v -> v.startsWith("data")).count());
        node.deleteVolume(VolumeRequest.newBuilder().setPool("default").setVolume("data2").build());
        node.deleteVolume(VolumeRequest.newBuilder().setPool("default").setVolume("data1").build());
        assertFalse(volumes().contains("data1"));
        assertFalse(volumes().contains("data2"));

        node.createVM(CreateVMRequest.newBuilder().setSpec(spec("metrics1")).setStart(true).build());
        Stream<VMMetrics> metrics = new Stream<>();
        NodeDaemonServiceGrpc.newStub(channel()).withInterceptors(bearer(token())).streamMetrics(
                StreamMetricsRequest.newBuilder().addVms("metrics1").setIntervalSeconds(1).build(), metrics);
        VMMetrics sample = metrics.next();
        assertEquals("metrics1", sample.getVm());
        assertEquals(1, sample.getVcpus());
        metrics.cancel();
        assertStatus(Status.Code.NOT_FOUND, "NOT_FOUND", () -> node.streamMetrics(
                StreamMetricsRequest.newBuilder().addVms("nosuch").build()).hasNext());

        // an image streamed in: what is not the qcow2 image it claims to be is refused, and nothing is left behind
        Stream<io.quantix.proto.node.v1.Volume> imported = new Stream<>();
        StreamObserver<ImportVolumeRequest> upload = NodeDaemonServiceGrpc.newStub(channel())
                .withInterceptors(bearer(token())).importVolume(imported);
        upload.onNext(ImportVolumeRequest.newBuilder().setHeader(ImportVolumeRequest.Header.newBuilder()
                .setPool("default").setName("image1").setFormat(VolumeFormat.QCOW2).setMaxBytes(1 << 20)).build());
        upload.onNext(ImportVolumeRequest.newBuilder().setData(ByteString.copyFrom(new byte[4096])).build());
        upload.onCompleted();
        StatusRuntimeException refused = imported.failure();
        assertEquals(refused.toString(), Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertEquals("INVALID_ARGUMENT", Status.trailersFromThrowable(refused).get(ERROR_CODE));
        assertFalse(volumes().contains("image1"));
        assertTrue(storage.listVolumes("default").stream().noneMatch(v -> v.name().startsWith("image1")));

        // a raw image is any bytes: streamed in chunks, it becomes a volume of exactly that size
        Stream<io.quantix.proto.node.v1.Volume> raw = new Stream<>();
        StreamObserver<ImportVolumeRequest> rawUpload = NodeDaemonServiceGrpc.newStub(channel())
                .withInterceptors(bearer(token())).importVolume(raw);
        rawUpload.onNext(ImportVolumeRequest.newBuilder().setHeader(ImportVolumeRequest.Header.newBuilder()
                .setPool("default").setName("image2").setFormat(VolumeFormat.RAW).setMaxBytes(4 << 20)).build());
        for (int i = 0; i < 16; i++) {
            rawUpload.onNext(ImportVolumeRequest.newBuilder().setData(ByteString.copyFrom(new byte[128 << 10])).build());
        }
        rawUpload.onCompleted();
        assertEquals(2L << 20, raw.next().getCapacity());
        assertTrue(volumes().contains("image2"));
        node.deleteVolume(VolumeRequest.newBuilder().setPool("default").setVolume("image2").build());

        // the client's own max_bytes cannot lift the node's upload limit: refused as REST refuses it, nothing left
        Stream<io.quantix.proto.node.v1.Volume> big = new Stream<>();
        StreamObserver<ImportVolumeRequest> bigUpload = NodeDaemonServiceGrpc.newStub(channel())
                .withInterceptors(bearer(token())).importVolume(big);
        bigUpload.onNext(ImportVolumeRequest.newBuilder().setHeader(ImportVolumeRequest.Header.newBuilder()
                .setPool("default").setName("image3").setFormat(VolumeFormat.RAW).setMaxBytes(Long.MAX_VALUE)).build());
        for (int i = 0; i < 32; i++) { // 4 MiB
            bigUpload.onNext(ImportVolumeRequest.newBuilder().setData(ByteString.copyFrom(new byte[128 << 10])).build());
        }
        bigUpload.onCompleted();
        StatusRuntimeException tooBig = big.failure();
        assertEquals(tooBig.toString(), Status.Code.INVALID_ARGUMENT, tooBig.getStatus().getCode());
        assertTrue(tooBig.toString(), tooBig.getStatus().getDescription().contains(String.valueOf(NODE_UPLOAD_LIMIT)));
        assertTrue(storage.listVolumes("default").stream().noneMatch(v -> v.name().startsWith("image3")));

        Stream<io.quantix.proto.node.v1.Volume> headless = new Stream<>();
        StreamObserver<ImportVolumeRequest> noHeader = NodeDaemonServiceGrpc.newStub(channel())
                .withInterceptors(bearer(token())).importVolume(headless);
        noHeader.onNext(ImportVolumeRequest.newBuilder().setData(ByteString.copyFrom(new byte[16])).build());
        StatusRuntimeException invalid = headless.failure();
        assertEquals(invalid.toString(), Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
        noHeader.onCompleted();
    }

    @Test
    public void t8_anEventStreamEndsWhenItsTokenIsRevoked() throws Exception {
        String session = login();
        Stream<Event> events = new Stream<>();
        NodeDaemonServiceGrpc.newStub(channel()).withInterceptors(bearer(session))
                .streamEvents(StreamEventsRequest.getDefaultInstance(), events);
        assertEquals("SUBSCRIBED", events.next().getType());
        as(session).logout(Empty.getDefaultInstance());
        StatusRuntimeException end = events.failure();
        assertEquals(end.toString(), Status.Code.UNAUTHENTICATED, end.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", Status.trailersFromThrowable(end).get(ERROR_CODE));
    }

    @Test
    public void t9_aPasswordChangeEndsTheOtherSessionsAndRevokeSessionsEndsAll() throws Exception {
        String streaming = login();
        String caller = login();
        Stream<Event> events = new Stream<>();
        NodeDaemonServiceGrpc.newStub(channel()).withInterceptors(bearer(streaming))
                .streamEvents(StreamEventsRequest.getDefaultInstance(), events);
        assertEquals("SUBSCRIBED", events.next().getType());

        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> as(caller).changePassword(
                ChangePasswordRequest.newBuilder().setCurrentPassword("not the password").setNewPassword(NEW_PASSWORD).build()));
        as(caller).changePassword(ChangePasswordRequest.newBuilder().setCurrentPassword(PASSWORD)
                .setNewPassword(NEW_PASSWORD).build());

        StatusRuntimeException end = events.failure();
        assertEquals(end.toString(), Status.Code.UNAUTHENTICATED, end.getStatus().getCode());
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> as(streaming).getNodeInfo(Empty.getDefaultInstance()));
        as(caller).getNodeInfo(Empty.getDefaultInstance()); // the caller's own session stays

        assertEquals(1, as(caller).revokeSessions(Empty.getDefaultInstance()).getRevoked());
        assertStatus(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> as(caller).getNodeInfo(Empty.getDefaultInstance()));
        anonymous().login(Credentials.newBuilder().setUsername(USER).setPassword(NEW_PASSWORD).build());
    }

    // ---- helpers ----

    /** Collects a server stream's messages and its end; reading past a bound fails the test rather than hanging. */
    private static final class Stream<T> implements ClientResponseObserver<Object, T> {
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<Object> call;
        int received;

        @Override
        public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(T value) {
            received++;
            queue.add(value);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onCompleted() {
            queue.add(Status.OK);
        }

        @SuppressWarnings("unchecked")
        T next() throws InterruptedException {
            Object next = queue.poll(30, TimeUnit.SECONDS);
            if (next == null || next instanceof Throwable || next == Status.OK) {
                throw new AssertionError("expected a message, got " + next);
            }
            return (T) next;
        }

        T next(java.util.function.Predicate<T> wanted) throws InterruptedException {
            for (T next = next();; next = next()) {
                if (wanted.test(next)) {
                    return next;
                }
            }
        }

        StatusRuntimeException failure() throws InterruptedException {
            for (Object next = queue.poll(30, TimeUnit.SECONDS);; next = queue.poll(30, TimeUnit.SECONDS)) {
                if (next == null || next == Status.OK) {
                    throw new AssertionError("expected the stream to fail, got " + next);
                }
                if (next instanceof Throwable t) {
                    return (StatusRuntimeException) t;
                }
            }
        }

        void cancel() {
            call.cancel("the test is done with the stream", null);
        }
    }

    private static void assertEvent(Stream<Event> events, String type) throws InterruptedException {
        Event event = events.next(e -> e.getType().equals(type));
        assertEquals("VM", event.getKind());
        assertEquals("life1", event.getSubject());
        assertEquals("io/quantix/vm/" + type, event.getTopic());
        assertTrue(event.getAt().getSeconds() > 0);
    }

    @FunctionalInterface
    private interface GrpcCall {
        void run() throws Exception;
    }

    private static StatusRuntimeException assertThrows(GrpcCall call) throws Exception {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        fail("expected the call to fail");
        return null;
    }

    /** An error as a client checks it: the status, the stable code in the trailer and the description. */
    private static StatusRuntimeException assertStatus(Status.Code status, String code, GrpcCall call) throws Exception {
        StatusRuntimeException e = assertThrows(call);
        assertEquals(e.toString(), status, e.getStatus().getCode());
        assertEquals(e.toString(), code, Status.trailersFromThrowable(e).get(ERROR_CODE));
        String description = e.getStatus().getDescription();
        assertTrue(e.toString(), description.startsWith(code + ": ") && description.length() > code.length() + 2);
        assertFalse(description, description.contains("Exception") || description.contains("at io.quantix"));
        return e;
    }

    private ManagedChannel channel() throws Exception {
        if (channel == null) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("node", tls.keyStore().getCertificate(tls.keyStore().aliases().nextElement()));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            channel = Grpc.newChannelBuilderForAddress("127.0.0.1", PORT,
                    TlsChannelCredentials.newBuilder().trustManager(tmf.getTrustManagers()).build()).build();
        }
        return channel;
    }

    private NodeDaemonServiceBlockingStub anonymous() throws Exception {
        return NodeDaemonServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private NodeDaemonServiceBlockingStub as(String bearer) throws Exception {
        return anonymous().withInterceptors(bearer(bearer));
    }

    private NodeDaemonServiceBlockingStub node() throws Exception {
        return as(token());
    }

    private static io.grpc.ClientInterceptor bearer(String bearer) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + bearer);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    private String token() throws Exception {
        if (token == null) {
            token = login();
        }
        return token;
    }

    private String login() throws Exception {
        // t1 sets the admin up among what it checks; doing it here too keeps a t1 that failed before its setup from
        // failing every test after it
        try {
            anonymous().setup(credentials(PASSWORD));
        } catch (StatusRuntimeException e) {
            assertEquals(e.toString(), Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        }
        var answer = anonymous().login(credentials(PASSWORD));
        assertTrue(answer.getExpiresAt().getSeconds() > System.currentTimeMillis() / 1000);
        return answer.getToken();
    }

    private static Credentials credentials(String password) {
        return Credentials.newBuilder().setUsername(USER).setPassword(password).build();
    }

    private static VMRequest vm(String name) {
        return VMRequest.newBuilder().setName(name).build();
    }

    private static VMSpec.Builder spec(String name) {
        return VMSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(256).addTags("life");
    }

    private Set<String> reflectedServices() throws Exception {
        Stream<ServerReflectionResponse> answers = new Stream<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel()).serverReflectionInfo(answers);
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        ServerReflectionResponse answer = answers.next();
        requests.onCompleted();
        return answer.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> vmNames() {
        return vms.list().stream().map(Vm::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private List<String> volumes() throws Exception {
        List<String> names = new ArrayList<>();
        node().listVolumes(PoolRequest.newBuilder().setName("default").build()).getVolumesList()
                .forEach(v -> names.add(v.getRef().getVolume()));
        assertEquals(storage.listVolumes("default").size(), names.size());
        return names;
    }
}
