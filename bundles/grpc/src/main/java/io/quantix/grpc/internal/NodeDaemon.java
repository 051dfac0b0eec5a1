package io.quantix.grpc.internal;

import static io.quantix.grpc.internal.Calls.empty;
import static io.quantix.grpc.internal.Calls.unary;

import com.google.protobuf.Empty;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.JoinAddress;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.proto.node.v1.AttachDiskRequest;
import io.quantix.proto.node.v1.AttachNICRequest;
import io.quantix.proto.node.v1.ChangeMediaRequest;
import io.quantix.proto.node.v1.ChangePasswordRequest;
import io.quantix.proto.node.v1.CloneVolumeRequest;
import io.quantix.proto.node.v1.ConsoleEndpoint;
import io.quantix.proto.node.v1.CreateClusterRequest;
import io.quantix.proto.node.v1.CreateSnapshotRequest;
import io.quantix.proto.node.v1.CreateTemplateRequest;
import io.quantix.proto.node.v1.CreateVMRequest;
import io.quantix.proto.node.v1.CreateVolumeRequest;
import io.quantix.proto.node.v1.Credentials;
import io.quantix.proto.node.v1.DeleteVMRequest;
import io.quantix.proto.node.v1.DetachDiskRequest;
import io.quantix.proto.node.v1.DetachNICRequest;
import io.quantix.proto.node.v1.Event;
import io.quantix.proto.node.v1.GetConsoleRequest;
import io.quantix.proto.node.v1.ImportVolumeRequest;
import io.quantix.proto.node.v1.IsoImage;
import io.quantix.proto.node.v1.IsoRequest;
import io.quantix.proto.node.v1.JoinClusterRequest;
import io.quantix.proto.node.v1.ListIsosResponse;
import io.quantix.proto.node.v1.ListNetworksResponse;
import io.quantix.proto.node.v1.ListSnapshotsResponse;
import io.quantix.proto.node.v1.ListStoragePoolsResponse;
import io.quantix.proto.node.v1.ListClusterVmsRequest;
import io.quantix.proto.node.v1.ListClusterVmsResponse;
import io.quantix.proto.node.v1.ListVMsRequest;
import io.quantix.proto.node.v1.ListVMsResponse;
import io.quantix.proto.node.v1.ListVolumeSnapshotsResponse;
import io.quantix.proto.node.v1.ListVolumesResponse;
import io.quantix.proto.node.v1.LoginResponse;
import io.quantix.proto.node.v1.MigrateVMRequest;
import io.quantix.proto.node.v1.MigrationProgress;
import io.quantix.proto.node.v1.Network;
import io.quantix.proto.node.v1.NetworkRequest;
import io.quantix.proto.node.v1.NetworkSpec;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.proto.node.v1.NodeInfo;
import io.quantix.proto.node.v1.PoolRequest;
import io.quantix.proto.node.v1.ResizeVolumeRequest;
import io.quantix.proto.node.v1.RevokeSessionsResponse;
import io.quantix.proto.node.v1.Snapshot;
import io.quantix.proto.node.v1.SnapshotRequest;
import io.quantix.proto.node.v1.StoragePool;
import io.quantix.proto.node.v1.StoragePoolSpec;
import io.quantix.proto.node.v1.StreamEventsRequest;
import io.quantix.proto.node.v1.StreamMetricsRequest;
import io.quantix.proto.node.v1.UploadIsoRequest;
import io.quantix.proto.node.v1.VM;
import io.quantix.proto.node.v1.VMMetrics;
import io.quantix.proto.node.v1.VMRequest;
import io.quantix.proto.node.v1.Volume;
import io.quantix.proto.node.v1.VolumeRequest;
import io.quantix.proto.node.v1.VolumeSnapshot;
import io.quantix.proto.node.v1.VolumeSnapshotRequest;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Token;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * {@code quantix.node.v1.NodeDaemonService}: a thin adapter over the node's services. Each method converts its
 * request ({@link Protos}), calls one service method and converts the answer; the rules live in the services.
 */
final class NodeDaemon extends NodeDaemonServiceGrpc.NodeDaemonServiceImplBase {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final VmService vms;
    private final GuestAgentService agents;
    private final StorageService storage;
    private final NetworkService networks;
    private final NodeService node;
    private final AdminAccount admin;
    private final Authenticator authenticator;
    private final EventStreams events;
    private final MetricStreams metrics;
    private final ExecutorService uploads;
    /** The cluster feature is not booted on a standalone node: empty then. */
    private final Supplier<Optional<ClusterService>> cluster;

    NodeDaemon(VmService vms, StorageService storage, NetworkService networks, NodeService node, AdminAccount admin,
            Authenticator authenticator, EventStreams events, MetricStreams metrics, ExecutorService uploads,
            Supplier<Optional<ClusterService>> cluster, GuestAgentService agents) {
        this.vms = vms;
        this.agents = agents;
        this.storage = storage;
        this.networks = networks;
        this.node = node;
        this.admin = admin;
        this.authenticator = authenticator;
        this.events = events;
        this.metrics = metrics;
        this.uploads = uploads;
        this.cluster = cluster;
    }

    // ---- sessions ----

    /** The password is copied into a char[] that is cleared after use (the request message itself is immutable). */
    @Override
    public void setup(Credentials request, StreamObserver<Empty> out) {
        empty(out, () -> {
            char[] password = request.getPassword().toCharArray();
            InetAddress client = AuthInterceptor.CLIENT_ADDRESS.get();
            if (client == null) {
                throw new QuantixException(ErrorCode.UNAUTHENTICATED, "setup needs a client with an IP address");
            }
            try {
                admin.create(request.getUsername(), password,
                        request.getSetupCode().isEmpty() ? null : request.getSetupCode(), client);
            } finally {
                Arrays.fill(password, '\0');
            }
        });
    }

    @Override
    public void login(Credentials request, StreamObserver<LoginResponse> out) {
        unary(out, () -> {
            char[] password = request.getPassword().toCharArray();
            Token token;
            try {
                token = authenticator.login(request.getUsername(), password, AuthInterceptor.CLIENT.get());
            } finally {
                Arrays.fill(password, '\0');
            }
            return LoginResponse.newBuilder().setToken(token.value()).setExpiresAt(Protos.timestamp(token.expiresAt()))
                    .build();
        });
    }

    @Override
    public void logout(Empty request, StreamObserver<Empty> out) {
        empty(out, () -> authenticator.revoke(AuthInterceptor.TOKEN.get()));
    }

    @Override
    public void changePassword(ChangePasswordRequest request, StreamObserver<Empty> out) {
        empty(out, () -> {
            char[] current = request.getCurrentPassword().toCharArray();
            char[] replacement = request.getNewPassword().toCharArray();
            try {
                admin.changePassword(AuthInterceptor.SESSION.get().username(), current, replacement,
                        AuthInterceptor.CLIENT.get(), AuthInterceptor.TOKEN.get());
            } finally {
                Arrays.fill(current, '\0');
                Arrays.fill(replacement, '\0');
            }
        });
    }

    @Override
    public void revokeSessions(Empty request, StreamObserver<RevokeSessionsResponse> out) {
        unary(out, () -> RevokeSessionsResponse.newBuilder()
                .setRevoked(authenticator.revokeAll(AuthInterceptor.CLIENT.get())).build());
    }

    // ---- VMs ----

    @Override
    public void createVM(CreateVMRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.create(Protos.vmSpec(request.getSpec()), Protos.cloudInit(request),
                request.getStart())));
    }

    @Override
    public void startVM(VMRequest request, StreamObserver<VM> out) {
        power(request, PowerAction.START, out);
    }

    @Override
    public void stopVM(VMRequest request, StreamObserver<VM> out) {
        power(request, PowerAction.SHUTDOWN, out);
    }

    @Override
    public void forceStopVM(VMRequest request, StreamObserver<VM> out) {
        power(request, PowerAction.FORCE_STOP, out);
    }

    @Override
    public void rebootVM(VMRequest request, StreamObserver<VM> out) {
        power(request, PowerAction.REBOOT, out);
    }

    @Override
    public void pauseVM(VMRequest request, StreamObserver<VM> out) {
        power(request, PowerAction.PAUSE, out);
    }

    @Override
    public void resumeVM(VMRequest request, StreamObserver<VM> out) {
        power(request, PowerAction.RESUME, out);
    }

    private void power(VMRequest request, PowerAction action, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.power(vm(request.getName()), action)));
    }

    @Override
    public void deleteVM(DeleteVMRequest request, StreamObserver<Empty> out) {
        empty(out, () -> vms.delete(vm(request.getName()), request.getDeleteVolumes()));
    }

    @Override
    public void getVMStatus(VMRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.get(vm(request.getName()))));
    }

    /** Filtered, sorted by name and paged the same way as REST's {@code GET /vms}. */
    @Override
    public void listVMs(ListVMsRequest request, StreamObserver<ListVMsResponse> out) {
        unary(out, () -> {
            Optional<PowerState> state = Protos.stateFilter(request.getState(), request.getStateValue());
            Optional<String> tag = request.getTag().isEmpty() ? Optional.empty() : Optional.of(request.getTag());
            int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : (int) Validation.range("limit", request.getLimit(), 1, MAX_LIMIT);
            int offset = (int) Validation.range("offset", request.getOffset(), 0, Integer.MAX_VALUE);
            List<Vm> matching = vms.list(state, tag);
            ListVMsResponse.Builder page = ListVMsResponse.newBuilder().setTotal(matching.size());
            Map<String, List<GuestInterface>> guests = agents.lastInterfaces();
            matching.stream().skip(offset).limit(limit)
                    .forEach(vm -> page.addVms(Protos.vm(vm, guests.getOrDefault(vm.id(), List.of()))));
            return page.build();
        });
    }

    @Override
    public void getVMMetrics(VMRequest request, StreamObserver<VMMetrics> out) {
        unary(out, () -> Protos.metrics(vms.metrics(vm(request.getName()))));
    }

    @Override
    public void getConsole(GetConsoleRequest request, StreamObserver<ConsoleEndpoint> out) {
        unary(out, () -> Protos.console(vms.console(vm(request.getName()),
                Protos.consoleType(request.getType(), request.getTypeValue()))));
    }

    // ---- snapshots ----

    @Override
    public void createSnapshot(CreateSnapshotRequest request, StreamObserver<Snapshot> out) {
        unary(out, () -> Protos.snapshot(vms.snapshot(vm(request.getVm()), Protos.snapshotSpec(request))));
    }

    @Override
    public void revertSnapshot(SnapshotRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.revert(vm(request.getVm()), snapshot(request.getSnapshot()))));
    }

    @Override
    public void deleteSnapshot(SnapshotRequest request, StreamObserver<Empty> out) {
        empty(out, () -> vms.deleteSnapshot(vm(request.getVm()), snapshot(request.getSnapshot())));
    }

    @Override
    public void listSnapshots(VMRequest request, StreamObserver<ListSnapshotsResponse> out) {
        unary(out, () -> ListSnapshotsResponse.newBuilder()
                .addAllSnapshots(vms.snapshots(vm(request.getName())).stream().map(Protos::snapshot).toList()).build());
    }

    // ---- hot-plug ----

    @Override
    public void attachDisk(AttachDiskRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.attachDisk(vm(request.getVm()), Protos.diskSpec(request.getDisk()))));
    }

    @Override
    public void detachDisk(DetachDiskRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.detachDisk(vm(request.getVm()), Protos.volumeRef(request.getVolume()),
                request.getDeleteVolume())));
    }

    @Override
    public void attachNIC(AttachNICRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.attachNic(vm(request.getVm()), Protos.nicSpec(request.getNic()))));
    }

    @Override
    public void detachNIC(DetachNICRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.detachNic(vm(request.getVm()), Validation.name("port", request.getPortId()))));
    }

    @Override
    public void changeMedia(ChangeMediaRequest request, StreamObserver<VM> out) {
        unary(out, () -> toProto(vms.changeMedia(vm(request.getVm()),
                request.getIsoPath().isEmpty() ? Optional.empty() : Optional.of(request.getIsoPath()))));
    }

    // ---- migration ----

    /**
     * Runs the migration on this call's thread, sending each progress report as it comes. The last one (the
     * service's answer) is sent too unless the backend already reported it.
     */
    @Override
    public void migrateVM(MigrateVMRequest request, StreamObserver<MigrationProgress> out) {
        ServerCallStreamObserver<MigrationProgress> call = (ServerCallStreamObserver<MigrationProgress>) out;
        Object lock = new Object();
        io.quantix.api.MigrationProgress[] sent = new io.quantix.api.MigrationProgress[1];
        io.quantix.api.MigrationProgress last;
        try {
            last = vms.migrate(vm(request.getName()), Protos.migrationSpec(request), progress -> {
                synchronized (lock) {
                    if (!call.isCancelled()) {
                        call.onNext(Protos.progress(progress));
                        sent[0] = progress;
                    }
                }
            });
        } catch (RuntimeException e) {
            call.onError(ErrorMapping.toStatus(e, AuthInterceptor.METHOD.get()));
            return;
        }
        synchronized (lock) {
            if (call.isCancelled()) {
                return;
            }
            if (!last.equals(sent[0])) {
                call.onNext(Protos.progress(last));
            }
            call.onCompleted();
        }
    }

    @Override
    public void cancelMigration(VMRequest request, StreamObserver<Empty> out) {
        empty(out, () -> vms.cancelMigration(vm(request.getName())));
    }

    // ---- the node ----

    @Override
    public void getNodeInfo(Empty request, StreamObserver<NodeInfo> out) {
        unary(out, () -> Protos.nodeInfo(node.info()));
    }

    @Override
    public void streamMetrics(StreamMetricsRequest request, StreamObserver<VMMetrics> out) {
        try {
            metrics.open(request, AuthInterceptor.TOKEN.get(), (ServerCallStreamObserver<VMMetrics>) out);
        } catch (QuantixException e) {
            out.onError(ErrorMapping.status(e));
        }
    }

    @Override
    public void streamEvents(StreamEventsRequest request, StreamObserver<Event> out) {
        try {
            events.open(request, AuthInterceptor.TOKEN.get(), (ServerCallStreamObserver<Event>) out);
        } catch (QuantixException e) {
            out.onError(ErrorMapping.status(e));
        }
    }

    // ---- storage ----

    @Override
    public void listStoragePools(Empty request, StreamObserver<ListStoragePoolsResponse> out) {
        unary(out, () -> ListStoragePoolsResponse.newBuilder()
                .addAllPools(storage.listPools().stream().map(Protos::pool).toList()).build());
    }

    @Override
    public void getStoragePool(PoolRequest request, StreamObserver<StoragePool> out) {
        unary(out, () -> Protos.pool(storage.getPool(pool(request.getName()))));
    }

    @Override
    public void createStoragePool(StoragePoolSpec request, StreamObserver<StoragePool> out) {
        unary(out, () -> Protos.pool(storage.createPool(Protos.poolSpec(request))));
    }

    @Override
    public void deleteStoragePool(PoolRequest request, StreamObserver<Empty> out) {
        empty(out, () -> storage.deletePool(pool(request.getName())));
    }

    @Override
    public void listVolumes(PoolRequest request, StreamObserver<ListVolumesResponse> out) {
        unary(out, () -> ListVolumesResponse.newBuilder()
                .addAllVolumes(storage.listVolumes(pool(request.getName())).stream().map(Protos::volume).toList())
                .build());
    }

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<Volume> out) {
        unary(out, () -> Protos.volume(storage.createVolume(pool(request.getPool()), Protos.volumeSpec(request))));
    }

    @Override
    public void deleteVolume(VolumeRequest request, StreamObserver<Empty> out) {
        empty(out, () -> storage.deleteVolume(pool(request.getPool()), volume(request.getVolume())));
    }

    @Override
    public void resizeVolume(ResizeVolumeRequest request, StreamObserver<Volume> out) {
        unary(out, () -> Protos.volume(storage.resizeVolume(pool(request.getPool()), volume(request.getVolume()),
                request.getNewSizeBytes())));
    }

    @Override
    public void cloneVolume(CloneVolumeRequest request, StreamObserver<Volume> out) {
        unary(out, () -> Protos.volume(storage.cloneVolume(pool(request.getPool()), volume(request.getSource()),
                volume(request.getTarget()))));
    }

    @Override
    public void createTemplate(CreateTemplateRequest request, StreamObserver<Volume> out) {
        unary(out, () -> Protos.volume(storage.createTemplate(pool(request.getPool()), volume(request.getVolume()),
                Validation.name("template", request.getTemplate()))));
    }

    @Override
    public void listVolumeSnapshots(VolumeRequest request, StreamObserver<ListVolumeSnapshotsResponse> out) {
        unary(out, () -> ListVolumeSnapshotsResponse.newBuilder().addAllSnapshots(storage.volumeSnapshots(
                pool(request.getPool()), volume(request.getVolume())).stream().map(Protos::volumeSnapshot).toList())
                .build());
    }

    @Override
    public void createVolumeSnapshot(VolumeSnapshotRequest request, StreamObserver<VolumeSnapshot> out) {
        unary(out, () -> Protos.volumeSnapshot(storage.snapshotVolume(pool(request.getPool()),
                volume(request.getVolume()), Validation.name("volume snapshot", request.getSnapshot()))));
    }

    @Override
    public void deleteVolumeSnapshot(VolumeSnapshotRequest request, StreamObserver<Empty> out) {
        empty(out, () -> storage.deleteVolumeSnapshot(pool(request.getPool()), volume(request.getVolume()),
                Validation.name("volume snapshot", request.getSnapshot())));
    }

    @Override
    public StreamObserver<ImportVolumeRequest> importVolume(StreamObserver<Volume> out) {
        return new Upload<>((ServerCallStreamObserver<Volume>) out, uploads, ImportVolumeRequest::hasHeader,
                r -> r.getData(), (first, data) -> {
                    ImportVolumeRequest.Header h = first.getHeader();
                    return Protos.volume(storage.importVolume(pool(h.getPool()), volume(h.getName()),
                            Protos.format(h.getFormat(), h.getFormatValue()), data, maxBytes(h.getMaxBytes())));
                });
    }

    @Override
    public void listIsos(PoolRequest request, StreamObserver<ListIsosResponse> out) {
        unary(out, () -> ListIsosResponse.newBuilder()
                .addAllIsos(storage.listIsos(pool(request.getName())).stream().map(Protos::iso).toList()).build());
    }

    @Override
    public StreamObserver<UploadIsoRequest> uploadIso(StreamObserver<IsoImage> out) {
        return new Upload<>((ServerCallStreamObserver<IsoImage>) out, uploads, UploadIsoRequest::hasHeader,
                r -> r.getData(), (first, data) -> {
                    UploadIsoRequest.Header h = first.getHeader();
                    return Protos.iso(storage.uploadIso(pool(h.getPool()), Validation.name("ISO image", h.getName()),
                            data, maxBytes(h.getMaxBytes())));
                });
    }

    @Override
    public void deleteIso(IsoRequest request, StreamObserver<Empty> out) {
        empty(out, () -> storage.deleteIso(pool(request.getPool()), Validation.name("ISO image", request.getName())));
    }

    // ---- networks ----

    @Override
    public void listNetworks(Empty request, StreamObserver<ListNetworksResponse> out) {
        unary(out, () -> ListNetworksResponse.newBuilder()
                .addAllNetworks(networks.list().stream().map(Protos::network).toList()).build());
    }

    @Override
    public void getNetwork(NetworkRequest request, StreamObserver<Network> out) {
        unary(out, () -> Protos.network(networks.get(Validation.name("network", request.getName()))));
    }

    @Override
    public void createNetwork(NetworkSpec request, StreamObserver<Network> out) {
        unary(out, () -> Protos.network(networks.create(Protos.networkSpec(request))));
    }

    @Override
    public void deleteNetwork(NetworkRequest request, StreamObserver<Empty> out) {
        empty(out, () -> networks.delete(Validation.name("network", request.getName())));
    }

    // ---- names at the edge, as REST checks its path parameters ----

    /** The VM with its guest's interfaces as last reported. */
    private VM toProto(Vm vm) {
        return Protos.vm(vm, agents.lastInterfaces().getOrDefault(vm.id(), List.of()));
    }

    private static String vm(String name) {
        return Validation.name("VM", name);
    }

    private static String snapshot(String name) {
        return Validation.name("snapshot", name);
    }

    private static String pool(String name) {
        return Validation.name("pool", name);
    }

    private static String volume(String name) {
        return Validation.name("volume", name);
    }

    // ---- cluster ----

    @Override
    public void getCluster(Empty request, StreamObserver<io.quantix.proto.node.v1.ClusterStatus> out) {
        unary(out, () -> Protos.clusterStatus(cluster().status()));
    }

    @Override
    public void createCluster(CreateClusterRequest request, StreamObserver<io.quantix.proto.node.v1.JoinToken> out) {
        unary(out, () -> Protos.joinToken(cluster().create(request.getName())));
    }

    @Override
    public void createJoinToken(Empty request, StreamObserver<io.quantix.proto.node.v1.JoinToken> out) {
        unary(out, () -> Protos.joinToken(cluster().newJoinToken()));
    }

    @Override
    public void joinCluster(JoinClusterRequest request, StreamObserver<io.quantix.proto.node.v1.ClusterStatus> out) {
        unary(out, () -> {
            JoinAddress at = JoinAddress.parse(request.getAddress());
            return Protos.clusterStatus(cluster().join(at.host(), at.port(), request.getToken()));
        });
    }

    @Override
    public void leaveCluster(Empty request, StreamObserver<Empty> out) {
        empty(out, () -> cluster().leave());
    }

    @Override
    public void listClusterVms(ListClusterVmsRequest request, StreamObserver<ListClusterVmsResponse> out) {
        unary(out, () -> {
            int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : (int) Validation.range("limit", request.getLimit(), 1, MAX_LIMIT);
            int offset = (int) Validation.range("offset", request.getOffset(), 0, Integer.MAX_VALUE);
            List<ClusterVm> all = cluster().vms();
            ListClusterVmsResponse.Builder page = ListClusterVmsResponse.newBuilder().setTotal(all.size());
            all.stream().skip(offset).limit(limit).forEach(vm -> page.addVms(Protos.clusterVm(vm)));
            return page.build();
        });
    }

    @Override
    public void getDrsPlan(Empty request, StreamObserver<io.quantix.proto.node.v1.DrsPlan> out) {
        unary(out, () -> Protos.drsPlan(cluster().drsPlan()));
    }

    private ClusterService cluster() {
        return cluster.get().orElseThrow(ClusterService::notInstalled);
    }

    /** The client's own bound; 0 (unset) for none. The node's upload limit caps it either way (in the core). */
    private static long maxBytes(long value) {
        return value == 0 ? Long.MAX_VALUE : Validation.range("max_bytes", value, 1, Long.MAX_VALUE);
    }
}
