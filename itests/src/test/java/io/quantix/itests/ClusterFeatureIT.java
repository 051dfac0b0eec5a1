package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Empty;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.MemberRole;
import io.quantix.api.service.NodeService;
import io.quantix.console.ClusterJoin;
import io.quantix.proto.node.v1.CreateClusterRequest;
import io.quantix.proto.node.v1.JoinClusterRequest;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc.NodeDaemonServiceBlockingStub;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real node that boots standalone (the cluster feature is not booted), installs {@code quantix-cluster} and becomes a
 * one-member cluster from the shell, as an operator does; the REST and gRPC APIs and the console's status line say the same; joins
 * that cannot work are refused and leave the node standalone; a restarted member is a member again; leaving makes it
 * standalone again; a VM created on the node is in the cluster-wide list (shell and REST) and the DRS plan answers. The
 * embedded ZooKeeper
 * and the join port listen on 127.0.0.1, on ports free when the test starts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClusterFeatureIT extends QuantixTestSupport {
    private static final Pattern TOKEN = Pattern.compile("(?m)^(QX1\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{32})$");
    private static final String USER = "admin";
    private static final String PASSWORD = "correct horse battery";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("quantix-error-code", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    SessionFactory sessions;
    @Inject
    FeaturesService features;
    @Inject
    NodeService node;
    @Inject
    AdminAccount admin;
    @Inject
    Authenticator auth;
    @Inject
    TlsMaterial tls;
    @Inject
    BundleContext context;

    @Override
    @Configuration
    public Option[] config() {
        String cfg = "etc/io.quantix.cluster.cfg";
        return OptionUtils.combine(super.config(),
                editConfigurationFilePut(cfg, "address", "127.0.0.1"),
                editConfigurationFilePut(cfg, "joinPort", String.valueOf(freePort())),
                editConfigurationFilePut(cfg, "zookeeperClientPort", String.valueOf(freePort())),
                editConfigurationFilePut(cfg, "zookeeperQuorumPort", String.valueOf(freePort())),
                editConfigurationFilePut(cfg, "zookeeperElectionPort", String.valueOf(freePort())),
                editConfigurationFilePut(cfg, "tickMillis", "500"),
                editConfigurationFilePut(cfg, "heartbeatSeconds", "1"));
    }

    @Test
    public void aNodeInstallsTheClusterFeatureCreatesAClusterAndLeavesIt() throws Exception {
        String bearer = apiSession();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", Integer.getInteger(GRPC_PORT),
                TlsChannelCredentials.newBuilder().trustManager(trustNode().getTrustManagers()).build()).build();
        try {
            lifecycle(bearer, grpc(channel, bearer));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void lifecycle(String bearer, NodeDaemonServiceBlockingStub grpc) throws Exception {
        // standalone and without the feature: the commands and the API name it, with a stable code
        assertEquals("BACKEND_UNAVAILABLE: the cluster feature is not installed on this node: feature:install quantix-cluster",
                failure("qx:cluster-status").getMessage());
        assertError(503, "BACKEND_UNAVAILABLE", get("/cluster", bearer));
        assertError(503, "BACKEND_UNAVAILABLE", get("/cluster/vms", bearer));
        assertGrpcError(Status.Code.UNAVAILABLE, "BACKEND_UNAVAILABLE", () -> grpc.getDrsPlan(Empty.getDefaultInstance()));
        assertGrpcError(Status.Code.UNAVAILABLE, "BACKEND_UNAVAILABLE", () -> grpc.getCluster(Empty.getDefaultInstance()));

        features.installFeature("quantix-cluster");
        ClusterService cluster = service(ClusterService.class);
        String self = node.info().id();
        assertTrue(run("qx:cluster-status").startsWith("standalone"));
        assertFalse(cluster.status().clustered());
        assertEquals("standalone", service(ClusterJoin.class).status());

        // joins that cannot work: refused with their documented codes, and the node is still alone with no cluster files
        int closed = freePort();
        String wellFormed = "QX1." + "A".repeat(43) + "." + "B".repeat(32);
        assertTrue(failure("qx:cluster-join 127.0.0.1:" + closed + " " + wellFormed).getMessage().startsWith("BACKEND_UNAVAILABLE: "));
        assertTrue(failure("qx:cluster-join 127.0.0.1:" + closed + " not-a-token").getMessage().startsWith("UNAUTHENTICATED: "));
        assertError(401, "UNAUTHENTICATED", post("/cluster/join", bearer,
                "{\"address\":\"127.0.0.1:" + closed + "\",\"token\":\"QX1.short.token\"}"));
        assertError(400, "INVALID_ARGUMENT", post("/cluster/join", bearer, "{\"address\":\"127.0.0.1;reboot\",\"token\":\"" + wellFormed + "\"}"));
        assertGrpcError(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> grpc.joinCluster(JoinClusterRequest.newBuilder()
                .setAddress("127.0.0.1:" + closed).setToken("QX1.bad").build()));
        assertStandalone(cluster, bearer);

        // create: a token to copy, one voting member that leads, a healthy quorum; the API and the console agree
        String created = run("qx:cluster-create lab");
        Matcher token = TOKEN.matcher(created);
        assertTrue(created, token.find());
        String first = token.group(1);
        assertFalse("the create printed a token only once", token.find());
        ClusterStatus status = awaitStatus(cluster, "the one member leads ZooKeeper with a quorum",
                s -> s.zookeeperLeader().equals(Optional.of(self)) && s.quorum().hasQuorum() && s.member(self).map(ClusterMember::online).orElse(false));
        assertEquals(Optional.of("lab"), status.name());
        assertEquals(1, status.members().size());
        ClusterMember member = status.members().get(0);
        assertEquals(self, member.id());
        assertEquals(node.info().name(), member.name());
        assertEquals(MemberRole.PARTICIPANT, member.role());
        assertTrue(member.zookeeperLeader());
        assertEquals(List.of("127.0.0.1"), member.addresses());
        assertEquals(1, status.quorum().voters());
        assertEquals(1, status.quorum().votersUp());

        String shown = run("qx:cluster-status");
        assertTrue(shown, shown.contains("cluster lab ("));
        assertTrue(shown, shown.contains("ZooKeeper leader: " + node.info().name() + "\n"));
        assertTrue(shown, shown.contains("quorum: healthy, 1 of 1 voters up"));
        assertTrue(shown, shown.lines().anyMatch(l -> l.contains(self) && l.contains("127.0.0.1") && l.contains("participant")
                && l.matches(".*\\byes\\b.*\\byes\\b.*\\d+ s ago.*")));

        JsonNode api = json(get("/cluster", bearer), 200);
        assertTrue(api.get("clustered").asBoolean());
        assertEquals("lab", api.get("name").asText());
        assertEquals(self, api.get("zookeeperLeader").asText());
        assertEquals(1, api.get("members").size());
        assertEquals("PARTICIPANT", api.get("members").get(0).get("role").asText());
        assertTrue(api.get("quorum").get("hasQuorum").asBoolean());
        assertEquals(1, api.get("quorum").get("voters").asInt());
        assertEquals("member of lab (1 node)", service(ClusterJoin.class).status());
        io.quantix.proto.node.v1.ClusterStatus viaGrpc = grpc.getCluster(Empty.getDefaultInstance());
        assertTrue(viaGrpc.getClustered());
        assertEquals("lab", viaGrpc.getName());
        assertEquals(self, viaGrpc.getZookeeperLeader());
        assertEquals(io.quantix.proto.node.v1.MemberRole.PARTICIPANT, viaGrpc.getMembers(0).getRole());
        assertTrue(viaGrpc.getMembers(0).hasLastHeartbeat());
        assertTrue(viaGrpc.getQuorum().getHasQuorum());

        // a VM created on the node is in the cluster's list with this node's name, through the shell and REST
        String name = node.info().name();
        assertTrue(run("qx:vm-create --cpus 2 --memory 256M --start clustervm").contains("VM clustervm created"));
        JsonNode[] page = new JsonNode[1];
        await("clustervm running in GET /cluster/vms", Duration.ofSeconds(30), () -> {
            page[0] = json(get("/cluster/vms", bearer), 200);
            return clusterVm(page[0]).map(v -> v.get("state").asText().equals("RUNNING")).orElse(false);
        }, () -> String.valueOf(page[0]));
        JsonNode listed = clusterVm(page[0]).orElseThrow();
        assertEquals("clustervm", listed.get("name").asText());
        assertEquals(name, listed.get("nodeName").asText());
        assertEquals(self, listed.get("nodeId").asText());
        assertEquals("ONLINE", listed.get("nodeState").asText());
        assertEquals(2, listed.get("vcpus").asInt());
        assertEquals(256, listed.get("memoryMiB").asInt());
        assertEquals(0, listed.get("nameClash").size());
        assertEquals(100, page[0].get("limit").asInt());
        io.quantix.proto.node.v1.ListClusterVmsResponse viaGrpcVms = grpc.listClusterVms(
                io.quantix.proto.node.v1.ListClusterVmsRequest.getDefaultInstance());
        io.quantix.proto.node.v1.ClusterVm grpcVm = viaGrpcVms.getVmsList().stream().filter(v -> v.getName().equals("clustervm"))
                .findFirst().orElseThrow(() -> new AssertionError("no clustervm in " + viaGrpcVms));
        assertEquals(name, grpcVm.getNodeName());
        assertEquals(io.quantix.proto.node.v1.NodeState.ONLINE, grpcVm.getNodeState());
        assertEquals(io.quantix.proto.node.v1.PowerState.RUNNING, grpcVm.getState());
        assertEquals(page[0].get("total").asInt(), viaGrpcVms.getTotal());
        String vms = run("qx:cluster-vms");
        assertTrue(vms, vms.lines().map(l -> Arrays.stream(l.split("\\|")).map(String::strip).toList())
                .anyMatch(cells -> cells.size() > 3 && cells.subList(0, 4).equals(List.of("clustervm", name, "online", "RUNNING"))));
        // one node has nothing to balance with: the plan answers, with no move, and says what it measured
        JsonNode plan = json(get("/cluster/drs/plan", bearer), 200);
        assertEquals(0, plan.get("moves").size());
        assertTrue(plan.toString(), plan.get("basis").asText().matches("allocated vCPUs and memory of [1-9][0-9]* running VMs on 1 reachable node .*"));
        assertEquals(plan.get("basis").asText(), grpc.getDrsPlan(Empty.getDefaultInstance()).getBasis());
        String shownPlan = run("qx:drs-plan");
        assertTrue(shownPlan, shownPlan.contains("measured on: " + plan.get("basis").asText()));
        run("qx:vm-stop --force clustervm");
        run("qx:vm-delete clustervm");
        await("clustervm gone from GET /cluster/vms", Duration.ofSeconds(30), () -> {
            page[0] = json(get("/cluster/vms", bearer), 200);
            return clusterVm(page[0]).isEmpty();
        }, () -> String.valueOf(page[0]));
        assertFalse(run("qx:cluster-vms").contains("clustervm"));

        // a member makes more tokens, and refuses to create or join another cluster
        JsonNode second = json(post("/cluster/tokens", bearer, ""), 201);
        assertTrue(TOKEN.matcher(second.get("token").asText()).matches());
        assertEquals(second.get("caFingerprint").asText(), cluster.newJoinToken().caFingerprint());
        assertTrue(run("qx:cluster-token").contains("cluster CA fingerprint: " + second.get("caFingerprint").asText()));
        assertError(409, "CONFLICT", post("/cluster", bearer, "{\"name\":\"other\"}"));
        assertTrue(failure("qx:cluster-join 127.0.0.1:" + closed + " " + first).getMessage().startsWith("CONFLICT: "));

        // a node restart (here the cluster bundle's) takes the membership up again from the node's files
        Bundle bundle = Arrays.stream(context.getBundles())
                .filter(b -> "io.quantix.cluster".equals(b.getSymbolicName())).findFirst().orElseThrow();
        bundle.stop();
        assertTrue("the membership is kept on disk while the node is down",
                Files.exists(Path.of(System.getProperty("karaf.etc")).resolve("quantix/cluster/cluster.properties")));
        bundle.start();
        cluster = service(ClusterService.class);
        ClusterStatus again = awaitStatus(cluster, "the restarted member leads ZooKeeper again with a quorum",
                s -> s.zookeeperLeader().equals(Optional.of(self)) && s.quorum().hasQuorum());
        assertEquals(status.clusterId(), again.clusterId());
        assertEquals(Optional.of("lab"), again.name());
        assertEquals(List.of(self), again.members().stream().map(ClusterMember::id).toList());

        // leave: standalone again, its cluster files gone; REST's leave on a standalone node is a conflict
        assertTrue(run("qx:cluster-leave").contains("left cluster 'lab'"));
        assertStandalone(cluster, bearer);
        assertError(409, "CONFLICT", delete("/cluster/members/self", bearer));

        // and the same through REST: create, leave
        JsonNode viaApi = json(post("/cluster", bearer, "{\"name\":\"lab2\"}"), 201);
        assertTrue(TOKEN.matcher(viaApi.get("token").asText()).matches());
        assertEquals("lab2", json(get("/cluster", bearer), 200).get("name").asText());
        assertEquals(204, delete("/cluster/members/self", bearer).statusCode());
        assertStandalone(cluster, bearer);

        // and through gRPC
        assertTrue(TOKEN.matcher(grpc.createCluster(CreateClusterRequest.newBuilder().setName("lab3").build()).getToken()).matches());
        assertEquals("lab3", grpc.getCluster(Empty.getDefaultInstance()).getName());
        assertTrue(TOKEN.matcher(grpc.createJoinToken(Empty.getDefaultInstance()).getToken()).matches());
        grpc.leaveCluster(Empty.getDefaultInstance());
        assertFalse(grpc.getCluster(Empty.getDefaultInstance()).getClustered());
        assertStandalone(cluster, bearer);
    }

    /** The item named clustervm of a page of GET /cluster/vms. */
    private static Optional<JsonNode> clusterVm(JsonNode page) {
        for (JsonNode item : page.get("items")) {
            if (item.get("name").asText().equals("clustervm")) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    private static NodeDaemonServiceBlockingStub grpc(ManagedChannel channel, String bearer) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearer);
        return NodeDaemonServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static void assertGrpcError(Status.Code status, String code, Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            assertEquals(e.toString(), status, e.getStatus().getCode());
            assertEquals(e.toString(), code, Status.trailersFromThrowable(e).get(ERROR_CODE));
            return;
        }
        fail("expected " + code);
    }

    private void assertStandalone(ClusterService cluster, String bearer) throws Exception {
        ClusterStatus status = cluster.status();
        assertFalse(status.toString(), status.clustered());
        assertTrue(status.members().isEmpty());
        assertFalse(json(get("/cluster", bearer), 200).get("clustered").asBoolean());
        assertTrue(run("qx:cluster-status").startsWith("standalone"));
        Path files = Path.of(System.getProperty("karaf.etc")).resolve("quantix/cluster");
        assertFalse("no cluster files in " + files, Files.exists(files.resolve("cluster.properties")));
    }

    private ClusterStatus awaitStatus(ClusterService cluster, String what, java.util.function.Predicate<ClusterStatus> condition)
            throws Exception {
        ClusterStatus[] last = new ClusterStatus[1];
        await(what, Duration.ofSeconds(30), () -> condition.test(last[0] = cluster.status()), () -> String.valueOf(last[0]));
        return last[0];
    }

    /** The service once it is registered: features install asynchronously. */
    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        T service = tracker.waitForService(30_000);
        tracker.close();
        assertNotNull("no " + type.getName() + " service within 30 s", service);
        return service;
    }

    private String run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            session.execute(command);
        } catch (Exception e) {
            // the shell's own exception types do not load in the test's driver: the message is what a person reads
            throw new Exception(e.getMessage());
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Exception failure(String command) {
        try {
            run(command);
        } catch (Exception e) {
            return e;
        }
        fail(command + " should have failed");
        return null;
    }

    // ---- REST over HTTPS, trusting the node's own certificate (gRPC's channel trusts the same) ----

    private String apiSession() throws Exception {
        if (!admin.exists()) {
            admin.create(USER, PASSWORD.toCharArray(), admin.setupCode(), InetAddress.getLoopbackAddress());
        }
        return auth.login(USER, PASSWORD.toCharArray(), "127.0.0.1").value();
    }

    private HttpClient client;

    /** Trusts the node's own certificate, and nothing else. */
    private TrustManagerFactory trustNode() throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("node", tls.keyStore().getCertificate(tls.keyStore().aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        return tmf;
    }

    private HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
        if (client == null) {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, trustNode().getTrustManagers(), null);
            client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + Integer.getInteger(REST_PORT) + "/api/v1" + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
        return client.send(request, BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        return send("GET", path, bearer, null);
    }

    private HttpResponse<String> post(String path, String bearer, String body) throws Exception {
        return send("POST", path, bearer, body);
    }

    private HttpResponse<String> delete(String path, String bearer) throws Exception {
        return send("DELETE", path, bearer, null);
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        return JSON.readTree(response.body());
    }

    private static void assertError(int status, String code, HttpResponse<String> response) throws Exception {
        assertEquals(code, json(response, status).get("code").asText());
    }
}
