package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.Vm;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.security.TlsMaterial;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import javax.net.ssl.SSLContext;
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
 * The REST API as a client meets it, over HTTPS with the node's own certificate: first-boot setup, login, a VM's
 * whole life, paging, idempotent creation, hostile input, the event stream and the OpenAPI document. The tests
 * run in name order: the first one sets the admin up.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class RestIT extends QuantixTestSupport {
    /** Read in the container, where the test support put the REST server's port. */
    private static final int PORT = Integer.getInteger(REST_PORT, 0);
    private static final String ORIGIN = "https://127.0.0.1:" + PORT;
    private static final String API = ORIGIN + "/api/v1";
    private static final String USER = "admin";
    private static final String PASSWORD = "correct horse battery";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TlsMaterial tls;
    @Inject
    VmService vms;
    @Inject
    StorageService storage;

    /** The largest upload this node takes: small, so the oversized case is cheap. */
    private static final int MAX_UPLOAD = 1 << 20;

    private HttpClient client;
    private String token;

    @Override
    @Configuration
    public Option[] config() {
        try {
            return OptionUtils.combine(super.config(),
                    // a VM's agent socket lives under the data directory and a Unix socket path has 107 bytes:
                    // target/exam/<uuid>/data/quantix/run/<uuid>.agent.sock under this checkout is longer
                    editConfigurationFilePut("etc/system.properties", "quantix.data.dir",
                            java.nio.file.Files.createTempDirectory("qxrest").toString()),
                    editConfigurationFilePut("etc/io.quantix.edge.cfg", "maxUploadBytes", String.valueOf(MAX_UPLOAD)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- tests: t1 first, on the fresh node; the others need only the admin, which login() makes sure of ----

    @Test
    public void t1_noAdminYetThenSetup() throws Exception {
        await("the API listens", () -> {
            try {
                return get("/health", null).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        HttpResponse<String> health = get("/health", null);
        assertEquals("UP", json(health).get("status").asText());

        assertError(401, "UNAUTHENTICATED", get("/vms", null));
        assertTrue(json(get("/vms", null)).get("message").asText().contains("POST /api/v1/setup"));
        assertError(401, "UNAUTHENTICATED", post("/auth/login", null, credentials(USER, PASSWORD)));

        assertError(400, "INVALID_ARGUMENT", post("/setup", null, credentials(USER, "short")));
        HttpResponse<String> setup = post("/setup", null, credentials(USER, PASSWORD));
        assertEquals(setup.body(), 201, setup.statusCode());
        assertError(409, "ALREADY_EXISTS", post("/setup", null, credentials(USER, "another password!")));

        HttpResponse<String> anonymous = get("/vms", null);
        assertError(401, "UNAUTHENTICATED", anonymous);
        assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertError(401, "UNAUTHENTICATED", get("/vms", "not-a-token"));
        assertError(401, "UNAUTHENTICATED", post("/auth/login", null, credentials(USER, "wrong password!!")));

        String session = login();
        assertEquals(200, get("/vms", session).statusCode());
        assertEquals(204, post("/auth/logout", session, "").statusCode());
        assertError(401, "UNAUTHENTICATED", get("/vms", session));
    }

    @Test
    public void t2_plainHttpIsNotServed() throws Exception {
        HttpRequest plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/api/v1/health"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(plain, BodyHandlers.ofString());
            fail("plain HTTP got an answer: " + answer.statusCode());
        } catch (IOException expected) {
            // the TLS listener drops a plain-text request
        }
    }

    @Test
    public void t3_vmLifecycle() throws Exception {
        String token = token();
        assertEquals(200, get("/node", token).statusCode());
        assertTrue(json(get("/node/backends", token)).isArray());

        HttpResponse<String> created = post("/vms", token, vmJson("life1", "[" + disk("default", 64L << 20) + "]", "[]"));
        assertEquals(created.body(), 201, created.statusCode());
        assertEquals("/api/v1/vms/life1", created.headers().firstValue("Location").orElseThrow());
        JsonNode vm = json(created);
        assertEquals("STOPPED", vm.get("state").asText());
        assertEquals(1, vm.get("disks").size());
        assertEquals("life1", json(get("/vms/life1", token)).get("spec").get("name").asText());
        assertTrue(volumes(token).stream().anyMatch(v -> v.startsWith("life1")));

        assertEquals("RUNNING", json(power("life1", "START", token)).get("state").asText());
        assertEquals(200, get("/vms/life1/metrics", token).statusCode());
        assertError(409, "CONFLICT", delete("/vms/life1?deleteVolumes=true", token));

        power("life1", "FORCE_STOP", token);
        await("life1 stops", () -> "STOPPED".equals(json(get("/vms/life1", token)).get("state").asText()));
        assertEquals(204, delete("/vms/life1?deleteVolumes=true", token).statusCode());
        assertError(404, "NOT_FOUND", get("/vms/life1", token));
        assertFalse(volumes(token).stream().anyMatch(v -> v.startsWith("life1")));
    }

    @Test
    public void t4_paginationAndFiltering() throws Exception {
        String token = token();
        for (int i = 0; i < 5; i++) {
            assertEquals(201, post("/vms", token, vmJson("page" + i, "[]", "[\"paged\"]")).statusCode());
        }
        assertEquals(201, post("/vms", token, vmJson("other1", "[]", "[\"other\"]")).statusCode());
        power("page3", "START", token);

        JsonNode first = json(get("/vms?tag=paged&limit=2", token));
        assertEquals(5, first.get("total").asInt());
        assertEquals(List.of("page0", "page1"), names(first));
        assertEquals(List.of("page4"), names(json(get("/vms?tag=paged&limit=2&offset=4", token))));
        assertEquals(List.of(), names(json(get("/vms?tag=paged&offset=99", token))));
        JsonNode running = json(get("/vms?tag=paged&state=RUNNING", token));
        assertEquals(1, running.get("total").asInt());
        assertEquals(List.of("page3"), names(running));

        assertError(400, "INVALID_ARGUMENT", get("/vms?state=FLYING", token));
        assertError(400, "INVALID_ARGUMENT", get("/vms?limit=0", token));
        assertError(400, "INVALID_ARGUMENT", get("/vms?limit=abc", token));
        assertError(400, "INVALID_ARGUMENT", get("/vms?offset=-1", token));
    }

    @Test
    public void t5_idempotentRetryCreatesOneVm() throws Exception {
        String token = token();
        int before = vms.list().size();
        String body = vmJson("idem1", "[]", "[]");
        HttpResponse<String> first = send(request("/vms", token).header("Idempotency-Key", "key-1")
                .POST(BodyPublishers.ofString(body)));
        HttpResponse<String> retry = send(request("/vms", token).header("Idempotency-Key", "key-1")
                .POST(BodyPublishers.ofString(body)));
        assertEquals(first.body(), 201, first.statusCode());
        assertEquals(retry.body(), 201, retry.statusCode());
        assertEquals(json(first).get("id").asText(), json(retry).get("id").asText());
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElseThrow());
        assertEquals(before + 1, vms.list().size());

        assertError(409, "CONFLICT", send(request("/vms", token).header("Idempotency-Key", "key-1")
                .POST(BodyPublishers.ofString(vmJson("idem2", "[]", "[]")))));
        assertEquals(before + 1, vms.list().size());
        assertError(409, "ALREADY_EXISTS", post("/vms", token, body));
    }

    @Test
    public void t6_hostileInputIsRefusedWithoutChangingAnything() throws Exception {
        String token = token();
        Set<String> vmsBefore = vmNames();
        List<String> volumesBefore = volumes(token);
        String good = vmJson("hostile1", "[" + disk("default", 64L << 20) + "]", "[]");

        assertError(400, "INVALID_ARGUMENT", post("/vms", token, "{\"name\": \"hostile1\", "));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, "not json at all"));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, ""));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace("\"vcpus\"", "\"colour\":\"red\",\"vcpus\"")));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace("\"vcpus\":1", "\"vcpus\":\"one\"")));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace("\"vcpus\":1", "\"vcpus\":[1]")));
        assertError(413, "INVALID_ARGUMENT", post("/vms", token,
                good.replace("\"hostile1\"", "\"" + "x".repeat(70 * 1024) + "\"")));
        for (String name : List.of("../etc", "<vm>&amp;\"'", "a b", "x".repeat(64))) {
            assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace("hostile1", JSON.writeValueAsString(name)
                    .replaceAll("^\"|\"$", ""))));
        }
        assertError(400, "INVALID_ARGUMENT", get("/vms/..%2Fetc", token));
        assertError(400, "INVALID_ARGUMENT", get("/vms/..%2F..%2Fetc%2Fpasswd/metrics", token));
        assertError(400, "INVALID_ARGUMENT", delete("/vms/..%2Fetc", token));
        assertError(400, "INVALID_ARGUMENT", delete("/pools/default/volumes/..%2F..%2Fetc", token));
        assertError(400, "INVALID_ARGUMENT", get("/vms/%3Cvm%3E%26", token));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace(String.valueOf(64L << 20), "-1")));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace(String.valueOf(64L << 20), "99999999999999999999999")));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace(String.valueOf(64L << 20), String.valueOf(Long.MAX_VALUE))));
        assertError(400, "INVALID_ARGUMENT", post("/vms", token, good.replace("\"memoryMiB\":256", "\"memoryMiB\":-5")));
        assertError(400, "INVALID_ARGUMENT", post("/pools/default/volumes", token,
                "{\"name\":\"huge\",\"sizeBytes\":9223372036854775807,\"format\":\"QCOW2\"}"));
        assertError(400, "INVALID_ARGUMENT", post("/pools/default/volumes", token,
                "{\"name\":\"neg\",\"sizeBytes\":-1048576,\"format\":\"QCOW2\"}"));
        assertError(400, "INVALID_ARGUMENT", post("/vms/nosuch/power", token, "{\"action\":\"EXPLODE\"}"));
        assertError(400, "INVALID_ARGUMENT", get("/vms?tag=%3Cb%3E", token));

        assertEquals(vmsBefore, vmNames());
        assertEquals(volumesBefore, volumes(token));
    }

    @Test
    public void t7_anEventArrivesOnTheStreamForAPowerAction() throws Exception {
        String token = token();
        assertError(401, "UNAUTHENTICATED", get("/events", null));
        assertEquals(201, post("/vms", token, vmJson("events1", "[]", "[]")).statusCode());

        HttpResponse<InputStream> stream = client().send(request("/events", token).GET().build(),
                BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertEquals(": connected", lines.readLine());
            power("events1", "START", token);
            CompletableFuture<JsonNode> started = CompletableFuture.supplyAsync(() -> {
                try {
                    String event = null;
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.startsWith("event: ")) {
                            event = line.substring(7);
                        } else if (line.startsWith("data: ")) {
                            JsonNode data = JSON.readTree(line.substring(6));
                            if ("io/quantix/vm/STARTED".equals(event) && "events1".equals(data.get("subject").asText())) {
                                return data;
                            }
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode data = started.get(30, TimeUnit.SECONDS);
            assertEquals("VM", data.get("kind").asText());
            assertEquals("STARTED", data.get("type").asText());
            assertTrue(data.get("at").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
        }
    }

    @Test
    public void t8_theOpenApiDocumentMatchesTheServedRoutes() throws Exception {
        // a session of its own: the route check calls logout (and revoke-all, last)
        String session = login();
        JsonNode doc = json(get("/openapi.json", null));
        assertEquals("/api/v1", doc.get("servers").get(0).get("url").asText());
        List<String> checked = new ArrayList<>();
        int documented = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            // a path with servers of its own (Prometheus' /metrics, at the root) is called there, not under /api/v1
            String own = path.getValue().has("servers")
                    ? ORIGIN + path.getValue().get("servers").get(0).get("url").asText().replaceAll("/$", "") : "";
            String concrete = own + path.getKey().replaceAll("\\{[^}]+}", "routecheck-missing");
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext();) {
                String method = methods.next().toUpperCase();
                if (method.equals("SERVERS")) {
                    continue;
                }
                documented++;
                if (concrete.equals("/auth/logout") || concrete.equals("/auth/sessions/revoke")) {
                    continue; // they end the session the check runs on: called below
                }
                int status = status(method, concrete, session);
                assertNotEquals(method + " " + concrete, 405, status);
                checked.add(method + " " + path.getKey() + " -> " + status);
            }
        }
        assertEquals(204, post("/auth/logout", session, "").statusCode());
        assertTrue(checked.toString(), documented >= 25);
        assertEquals("every documented operation but the two that end sessions was called: " + checked, documented - 2,
                checked.size());

        // and the check is not vacuous: an undocumented route is a route 404, a wrong method a 405
        HttpResponse<String> unknown = get("/nosuch", token());
        assertError(404, "NOT_FOUND", unknown);
        assertTrue(json(unknown).get("message").asText().startsWith("no endpoint"));
        assertError(405, "INVALID_ARGUMENT", delete("/health", token()));

        HttpResponse<String> revoked = post("/auth/sessions/revoke", token(), "");
        assertEquals(revoked.body(), 200, revoked.statusCode());
        assertTrue(revoked.body(), json(revoked).get("revoked").asInt() >= 1);
        assertError(401, "UNAUTHENTICATED", get("/node", token()));
    }

    @Test
    public void t9_snapshotsHotPlugAndMigrationThroughTheApi() throws Exception {
        String token = token();
        assertEquals(201, post("/vms", token, vmJson("snap1", "[" + disk("default", 64L << 20) + "]", "[]")).statusCode());

        HttpResponse<String> taken = post("/vms/snap1/snapshots", token, "{\"name\":\"before\",\"description\":\"<b>&\"}");
        assertEquals(taken.body(), 201, taken.statusCode());
        assertEquals("/api/v1/vms/snap1/snapshots/before", taken.headers().firstValue("Location").orElseThrow());
        assertEquals(201, post("/vms/snap1/snapshots", token, "{\"name\":\"after\"}").statusCode());
        JsonNode listed = json(get("/vms/snap1/snapshots", token));
        assertEquals(List.of("before", "after"), snapshotNames(listed));
        assertEquals("before", listed.get("items").get(1).get("parent").asText());
        assertError(409, "ALREADY_EXISTS", post("/vms/snap1/snapshots", token, "{\"name\":\"before\"}"));
        assertError(400, "INVALID_ARGUMENT", post("/vms/snap1/snapshots", token, "{\"name\":\"../x\"}"));
        assertEquals(200, post("/vms/snap1/snapshots/before/revert", token, "").statusCode());
        assertEquals(204, delete("/vms/snap1/snapshots/after", token).statusCode());
        assertEquals(List.of("before"), snapshotNames(json(get("/vms/snap1/snapshots", token))));
        assertError(404, "NOT_FOUND", delete("/vms/snap1/snapshots/after", token));

        // the test driver advertises no hot-plug: refused before a volume is made (real hot-plug: LibvirtLiveChangesIT)
        List<String> volumesBefore = volumes(token);
        assertError(501, "UNSUPPORTED", post("/vms/snap1/disks", token, disk("default", 32L << 20)));
        assertEquals(volumesBefore, volumes(token));
        assertEquals(1, vms.get("snap1").disks().size());
        assertError(400, "INVALID_ARGUMENT", post("/vms/snap1/disks", token, disk("default", -1)));

        // the test driver cannot migrate: refused up front, nothing left running in the background
        assertError(501, "UNSUPPORTED", post("/vms/snap1/migration", token, "{\"targetUri\":\"qemu+tcp://node2/system\"}"));
        assertError(404, "NOT_FOUND", get("/vms/snap1/migration", token));
        assertError(400, "INVALID_ARGUMENT", post("/vms/snap1/migration", token, "{\"targetUri\":\"no scheme\"}"));
        assertEquals(204, delete("/vms/snap1?deleteVolumes=true", token).statusCode());
    }

    @Test
    public void t9b_securityGroupsAndRoutersThroughTheApi() throws Exception {
        String token = token();
        // only the bridge driver here: the group is defined (no driver enforces groups), nothing is half made
        String db = "{\"name\":\"db\",\"appliesTo\":\"role=db\",\"rules\":[\"tcp:5432 from tag:role=web\"]}";
        HttpResponse<String> created = post("/security-groups", token, db);
        assertEquals(created.body(), 201, created.statusCode());
        assertEquals("/api/v1/security-groups/db", created.headers().firstValue("Location").orElseThrow());
        JsonNode group = json(get("/security-groups/db", token));
        assertEquals("role=db", group.get("appliesTo").asText());
        assertEquals("tcp:5432 from tag:role=web", group.get("rules").get(0).asText());
        assertEquals(1, json(get("/security-groups", token)).get("total").asInt());
        assertError(409, "ALREADY_EXISTS", post("/security-groups", token, db));
        assertError(400, "INVALID_ARGUMENT", post("/security-groups", token,
                "{\"name\":\"bad\",\"appliesTo\":\"role=db\",\"rules\":[\"tcp:99999 from 0.0.0.0/0\"]}"));
        assertError(404, "NOT_FOUND", get("/security-groups/bad", token));
        assertEquals(204, delete("/security-groups/db", token).statusCode());
        assertError(404, "NOT_FOUND", get("/security-groups/db", token));

        assertEquals(0, json(get("/routers", token)).get("total").asInt());
        assertError(404, "NOT_FOUND", post("/routers", token, "{\"name\":\"r1\",\"networks\":[\"nosuch\"]}"));
        assertError(400, "INVALID_ARGUMENT", post("/routers", token, "{\"name\":\"r1\"}"));
        assertError(404, "NOT_FOUND", delete("/routers/r1", token));
        assertEquals(0, json(get("/routers", token)).get("total").asInt());
    }

    @Test
    public void t9c_anIsoUploadIsStreamedLimitedAndNamedSafely() throws Exception {
        String token = token();
        byte[] image = new byte[256 << 10];
        new java.util.Random(7).nextBytes(image);
        HttpResponse<String> uploaded = send(request("/pools/default/isos/tools.iso", token)
                .header("Content-Type", "application/octet-stream").PUT(BodyPublishers.ofByteArray(image)));
        assertEquals(uploaded.body(), 201, uploaded.statusCode());
        assertEquals("/api/v1/pools/default/isos/tools.iso", uploaded.headers().firstValue("Location").orElseThrow());
        assertEquals(image.length, json(uploaded).get("sizeBytes").asLong());
        assertEquals(List.of("tools.iso"), isos(token));

        // the same name again, a name that climbs out of the library, and more than the node takes: refused,
        // and the library holds exactly what it held
        assertError(409, "ALREADY_EXISTS", send(request("/pools/default/isos/tools.iso", token)
                .PUT(BodyPublishers.ofByteArray(new byte[16]))));
        assertError(400, "INVALID_ARGUMENT", send(request("/pools/default/isos/..%2Fescape.iso", token)
                .PUT(BodyPublishers.ofByteArray(new byte[16]))));
        HttpResponse<String> tooLarge = send(request("/pools/default/isos/big.iso", token)
                .PUT(BodyPublishers.ofByteArray(new byte[MAX_UPLOAD + 4096])));
        assertTrue(tooLarge.body(), tooLarge.statusCode() == 400 || tooLarge.statusCode() == 413);
        assertEquals(List.of("tools.iso"), isos(token));
        assertEquals(List.of("tools.iso"), storage.listIsos("default").stream().map(i -> i.name()).toList());

        assertEquals(204, delete("/pools/default/isos/tools.iso", token).statusCode());
        assertEquals(List.of(), isos(token));
        assertError(404, "NOT_FOUND", delete("/pools/default/isos/tools.iso", token));
    }

    /**
     * The simulated node's VMs have no guest agent: every agent route answers 501 UNSUPPORTED saying so (the VM is
     * found first: an unknown one is 404, bad input 400), and the password sent never comes back.
     */
    @Test
    public void t9d_agentRoutesOnAVmWithoutAnAgent() throws Exception {
        String token = token();
        assertEquals(201, post("/vms", token, vmJson("agent1", "[]", "[]")).statusCode());
        power("agent1", "START", token);
        try {
            HttpResponse<String> status = get("/vms/agent1/agent", token);
            assertError(501, "UNSUPPORTED", status);
            assertTrue(status.body(), json(status).get("message").asText().contains("simulated"));
            assertError(501, "UNSUPPORTED", post("/vms/agent1/agent/exec", token, "{\"command\":[\"uname\",\"-a\"]}"));
            assertError(501, "UNSUPPORTED", post("/vms/agent1/agent/fsfreeze", token, ""));
            assertError(501, "UNSUPPORTED", post("/vms/agent1/agent/fsthaw", token, ""));
            assertError(501, "UNSUPPORTED", post("/vms/agent1/agent/sync-time", token, ""));
            HttpResponse<String> password = post("/vms/agent1/agent/password", token,
                    "{\"user\":\"root\",\"password\":\"Tr0ub4dor&3\"}");
            assertError(501, "UNSUPPORTED", password);
            assertFalse(password.body(), password.body().contains("Tr0ub4dor"));

            assertError(400, "INVALID_ARGUMENT", post("/vms/agent1/agent/exec", token, "{\"command\":[]}"));
            assertError(400, "INVALID_ARGUMENT", post("/vms/agent1/agent/password", token,
                    "{\"user\":\"root:0\",\"password\":\"x\"}"));
            assertError(404, "NOT_FOUND", get("/vms/no-such-vm/agent", token));
        } finally {
            power("agent1", "FORCE_STOP", token);
            await("agent1 stops", () -> "STOPPED".equals(json(get("/vms/agent1", token)).get("state").asText()));
            assertEquals(204, delete("/vms/agent1", token).statusCode());
        }
    }

    private List<String> isos(String bearer) throws Exception {
        List<String> names = new ArrayList<>();
        json(get("/pools/default/isos", bearer)).get("items").forEach(i -> names.add(i.get("name").asText()));
        return names;
    }

    // ---- helpers ----

    /** The status of one documented operation; a 404 must be about the object, not the route. */
    private int status(String method, String path, String session) throws Exception {
        HttpRequest.Builder builder = request(path, session);
        if (path.equals("/events")) {
            HttpResponse<InputStream> stream = client().send(builder.GET().build(), BodyHandlers.ofInputStream());
            stream.body().close();
            return stream.statusCode();
        }
        HttpResponse<String> answer = send(builder.method(method,
                method.equals("POST") ? BodyPublishers.ofString("{}") : BodyPublishers.noBody()));
        if (answer.statusCode() == 404) {
            assertFalse(method + " " + path + " is documented but not served",
                    json(answer).get("message").asText().startsWith("no endpoint"));
        }
        return answer.statusCode();
    }

    private HttpClient client() throws Exception {
        if (client == null) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            String alias = tls.keyStore().aliases().nextElement();
            Certificate node = tls.keyStore().getCertificate(alias);
            trusted.setCertificateEntry("node", node);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        }
        return client;
    }

    private String token() throws Exception {
        if (token == null) {
            token = login();
        }
        return token;
    }

    private String login() throws Exception {
        // t1 sets the admin up among what it checks; doing it here too (409 once done) keeps a t1 that failed
        // before its setup from failing every test after it
        HttpResponse<String> setup = post("/setup", null, credentials(USER, PASSWORD));
        assertTrue(setup.body(), setup.statusCode() == 201 || setup.statusCode() == 409);
        HttpResponse<String> answer = post("/auth/login", null, credentials(USER, PASSWORD));
        assertEquals(answer.body(), 200, answer.statusCode());
        JsonNode body = json(answer);
        assertTrue(body.get("expiresAt").asText().endsWith("Z"));
        return body.get("token").asText();
    }

    private HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(path.startsWith(ORIGIN) ? path : API + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        return bearer == null ? builder : builder.header("Authorization", "Bearer " + bearer);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client().send(request.build(), BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        return send(request(path, bearer).GET());
    }

    private HttpResponse<String> post(String path, String bearer, String body) throws Exception {
        return send(request(path, bearer).POST(BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> delete(String path, String bearer) throws Exception {
        return send(request(path, bearer).DELETE());
    }

    private HttpResponse<String> power(String vm, String action, String bearer) throws Exception {
        HttpResponse<String> answer = post("/vms/" + vm + "/power", bearer, "{\"action\":\"" + action + "\"}");
        assertEquals(answer.body(), 200, answer.statusCode());
        return answer;
    }

    private static String credentials(String user, String password) {
        return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
    }

    private static String disk(String pool, long size) {
        return "{\"pool\":\"" + pool + "\",\"sizeBytes\":" + size + ",\"format\":\"QCOW2\",\"bus\":\"VIRTIO\"}";
    }

    private static String vmJson(String name, String disks, String tags) {
        return "{\"name\":\"" + name + "\",\"hypervisor\":\"libvirt\",\"vcpus\":1,\"memoryMiB\":256,\"firmware\":\"BIOS\","
                + "\"disks\":" + disks + ",\"nics\":[],\"bootOrder\":[],\"tags\":" + tags + ","
                + "\"ha\":{\"enabled\":false,\"restartPriority\":0}}";
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    /** An error answer as a client checks it: status, stable code, a message, and no Java internals. */
    private static void assertError(int status, String code, HttpResponse<String> response) throws IOException {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = json(response);
        assertEquals(response.body(), code, body.get("code").asText());
        assertFalse(body.get("message").asText().isBlank());
        assertTrue(body.get("details").isObject());
        assertFalse(response.body(), response.body().contains("Exception"));
        assertFalse(response.body(), response.body().contains("\tat ") || response.body().contains("at io.quantix"));
        assertFalse(response.body(), response.body().contains("com.fasterxml"));
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(vm -> names.add(vm.get("spec").get("name").asText()));
        return names;
    }

    private static List<String> snapshotNames(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(snapshot -> names.add(snapshot.get("name").asText()));
        return names;
    }

    private Set<String> vmNames() {
        return vms.list().stream().map(Vm::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private List<String> volumes(String bearer) throws Exception {
        List<String> names = new ArrayList<>();
        json(get("/pools/default/volumes?limit=1000", bearer)).get("items")
                .forEach(v -> names.add(v.get("ref").get("volume").asText()));
        assertEquals(storage.listVolumes("default").size(), names.size());
        return names;
    }
}
