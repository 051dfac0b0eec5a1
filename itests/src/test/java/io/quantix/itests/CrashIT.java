package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * {@code kill -9} of a real node (the built distribution, started as {@code bin/karaf server} with its own data and
 * config directories and free ports) while 100 VM creates (a disk and a NIC each), a clone of a big volume and a
 * slowly streamed ISO upload are in flight over REST; then the node is started again on the same directories. What a
 * user checks afterwards: every VM listed is whole, and the simulated node's file, the pool's folder and the network
 * definitions hold nothing that Quantix does not list; the clone and the ISO left no partial volume or file.
 * <p>
 * Not a Pax Exam test: the node must be a process of its own to be killed. Needs root, as the bridge driver adds the
 * network's (empty, port-less) Linux bridge.
 */
public class CrashIT {
    private static final int CREATES = 100;
    /** Creates answered before the kill: the rest are in flight or queued behind the core's create lock. */
    private static final int ANSWERED_BEFORE_KILL = 10;
    private static final long CLONE_SOURCE_BYTES = 1L << 30;
    private static final String PASSWORD = "correct horse battery";
    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path node;
    private Path data;
    private Path config;
    private Path nodeFile;
    private int restPort;
    private String bridge;
    private Process karaf;
    private HttpClient client;
    private String token;

    @Before
    public void unpackNode() throws Exception {
        Assume.assumeTrue("needs root: the bridge driver adds a Linux bridge", "root".equals(System.getProperty("user.name")));
        work = Files.createTempDirectory("qxcrash");
        data = work.resolve("data");
        config = work.resolve("config");
        nodeFile = data.resolve("libvirt-test-node.xml");
        Path zip = Path.of(System.getProperty("maven.repo.local"), "io", "quantix", "quantix-karaf-distribution",
                System.getProperty("quantix.version"), "quantix-karaf-distribution-" + System.getProperty("quantix.version") + ".zip");
        run(List.of("unzip", "-q", zip.toString(), "-d", work.resolve("dist").toString()));
        try (Stream<Path> unpacked = Files.list(work.resolve("dist"))) {
            node = unpacked.findFirst().orElseThrow();
        }
        restPort = freePort();
        Files.writeString(node.resolve("etc/io.quantix.rest.cfg"), "port=" + restPort + "\nhost=127.0.0.1\n");
        Files.writeString(node.resolve("etc/io.quantix.grpc.cfg"), "port=" + freePort() + "\nhost=127.0.0.1\n");
        // the test driver on this run's file, even on a host where KVM and a libvirtd are there
        Files.writeString(node.resolve("etc/io.quantix.hypervisor.libvirt.cfg"), "uri = test://" + nodeFile + "\n");
        bridge = "qxc" + UUID.randomUUID().toString().substring(0, 8);
    }

    @After
    public void stopNode() throws Exception {
        if (work == null) {
            return;
        }
        if (karaf != null) {
            kill(karaf);
        }
        // the node's log (both runs: the kill, then the rollbacks and sweeps) outlives the temporary node
        Path log = node == null ? null : node.resolve("data/log/karaf.log");
        if (log != null && Files.exists(log)) {
            Files.copy(log, Path.of("target", "CrashIT-karaf.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // the bridge is this run's own (a random name), and has no ports
        new ProcessBuilder("ip", "link", "del", bridge).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        run(List.of("rm", "-rf", work.toString()));
    }

    @Test
    public void killNineDuringCreatesACloneAndAnUploadLeavesOnlyWholeObjects() throws Exception {
        Path pool = data.resolve("pools/default");
        Files.createDirectories(pool);
        // a volume with real data, so that its full copy takes long enough to be killed in the middle
        run(List.of("qemu-img", "create", "-q", "-f", "raw", pool.resolve("golden.raw").toString(),
                String.valueOf(CLONE_SOURCE_BYTES)));
        run(List.of("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 " + CLONE_SOURCE_BYTES, pool.resolve("golden.raw").toString()));

        start("first");
        assertEquals(201, post("/setup", "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}").statusCode());
        login();
        HttpResponse<String> net = post("/networks", "{\"name\":\"crashnet\",\"driver\":\"bridge\",\"type\":\"BRIDGE\","
                + "\"dhcp\":false,\"bridge\":\"" + bridge + "\"}");
        assertEquals(net.body(), 201, net.statusCode());

        // the ISO upload: 4 MiB, then it waits, mid-stream, until the node is dead
        CountDownLatch killed = new CountDownLatch(1);
        AtomicLong uploaded = new AtomicLong();
        CompletableFuture<HttpResponse<String>> upload = client.sendAsync(request("/pools/default/isos/crash.iso")
                .header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofInputStream(() -> new StalledStream(4 << 20, killed, uploaded))).build(),
                BodyHandlers.ofString());

        Map<String, Integer> answers = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int i = 0; i < CREATES; i++) {
            String name = String.format("crash-%03d", i);
            String body = "{\"name\":\"" + name + "\",\"disks\":[{\"pool\":\"default\",\"sizeBytes\":16777216}],"
                    + "\"nics\":[{\"network\":\"crashnet\"}]}";
            creates.add(client.sendAsync(request("/vms?start=true").header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString())
                    .thenAccept(r -> answers.put(name, r.statusCode())));
        }
        await("the first " + ANSWERED_BEFORE_KILL + " creates answered", Duration.ofMinutes(2),
                () -> answers.size() >= ANSWERED_BEFORE_KILL);
        CompletableFuture<HttpResponse<String>> clone = client.sendAsync(request("/pools/default/volumes/golden/clone")
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString("{\"name\":\"golden-copy\"}"))
                .build(), BodyHandlers.ofString());
        await("the clone writing its copy", Duration.ofSeconds(60), () -> !temps(pool, ".golden-copy.").isEmpty() || clone.isDone());
        await("the upload writing its file", Duration.ofSeconds(60), () -> !temps(pool.resolve("isos"), ".crash.iso.").isEmpty());

        // creates follow each other under the core's lock, so one is nearly always part way; the node is frozen
        // (SIGSTOP) when an intent is seen and killed only if the frozen disk still shows one, as a create can end
        // between the look and the signal
        Path intents = data.resolve("intents");
        ProcessHandle jvm = nodeJvm(karaf);
        long intentDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            while (intents(intents).isEmpty() && System.nanoTime() < intentDeadline) {
                Thread.sleep(1);
            }
            signal(jvm, "STOP");
            if (!intents(intents).isEmpty()) {
                break;
            }
            signal(jvm, "CONT");
            if (System.nanoTime() >= intentDeadline) {
                fail("no create was part way (an intent in " + intents + ") within 60 s of the clone starting");
            }
        }
        boolean cloneAnswered = clone.isDone();
        boolean uploadAnswered = upload.isDone();
        kill(karaf);
        killed.countDown();
        Map<String, Integer> beforeKill = Map.copyOf(answers);
        // what the interrupted create had made when the node died, read from its intent and the disk
        List<String> interrupted = new ArrayList<>();
        Set<String> rolledBack = new TreeSet<>();
        for (Path intent : intents(intents)) {
            java.util.Properties p = new java.util.Properties();
            try (InputStream in = Files.newInputStream(intent)) {
                p.load(in);
            }
            String vm = p.getProperty("vm");
            rolledBack.add(vm);
            boolean volume = Files.exists(pool.resolve(p.getProperty("volume.0.name") + ".qcow2"));
            boolean domain = domains(nodeFile).contains(vm);
            interrupted.add(vm + " (volume made: " + volume + ", domain defined: " + domain + ")");
        }
        assertFalse("the clone was still running at the kill: " + clone.getNow(null), cloneAnswered);
        assertFalse("the upload was still running at the kill", uploadAnswered);
        Set<String> created = beforeKill.entrySet().stream().filter(e -> e.getValue() == 201).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals("every create answered before the kill succeeded: " + beforeKill, beforeKill.size(), created.size());
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).handle((r, e) -> null).get(60, TimeUnit.SECONDS);

        start("second");
        login();
        await("the interrupted creates rolled back (no intent left in " + intents + ")", BOOT,
                () -> intents(intents).isEmpty());
        // a bounded wait whose outcome is asserted below, with everything else that was found
        long sweepDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(temps(pool, ".").isEmpty() && temps(pool.resolve("isos"), ".").isEmpty()) && System.nanoTime() < sweepDeadline) {
            Thread.sleep(100);
        }

        JsonNode vms = get("/vms?limit=1000").get("items");
        Set<String> listed = new TreeSet<>();
        Set<String> disks = new TreeSet<>();
        Set<String> ports = new HashSet<>();
        for (JsonNode vm : vms) {
            String name = vm.get("spec").get("name").asText();
            listed.add(name);
            assertEquals(name + " has its disk", 1, vm.get("disks").size());
            assertEquals(name + " has its NIC", 1, vm.get("nics").size());
            assertEquals(name + "'s NIC is on its network", "crashnet", vm.get("nics").get(0).get("network").asText());
            assertFalse(name + "'s NIC has its port", vm.get("nics").get(0).get("portId").asText().isEmpty());
            disks.add(vm.get("disks").get(0).get("volume").get("volume").asText());
            ports.add(vm.get("nics").get(0).get("portId").asText());
        }
        Set<String> volumes = new TreeSet<>();
        get("/pools/default/volumes?limit=1000").get("items").forEach(v -> volumes.add(v.get("ref").get("volume").asText()));
        Set<String> expectedVolumes = new TreeSet<>(disks);
        expectedVolumes.add("golden");
        Set<String> expectedFiles = expectedVolumes.stream().map(v -> v.equals("golden") ? "golden.raw" : v + ".qcow2")
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> poolFiles = files(pool).stream().filter(f -> !Files.isDirectory(pool.resolve(f)))
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> isoFiles = files(pool.resolve("isos"));
        Set<String> domains = domains(nodeFile);
        System.out.printf("kill -9 during %d VM creates: %d answered 201 before the kill, %d in flight or queued, the"
                + " create killed part way: %s; after the restart %d VMs exist; unlisted volumes %s, stray pool files %s,"
                + " ISO files %s, unlisted domains %s; the clone of %d MiB and the ISO upload (%d bytes sent) were in"
                + " flight at the kill%n", CREATES, created.size(), CREATES - created.size(), interrupted, listed.size(),
                minus(volumes, expectedVolumes), minus(poolFiles, expectedFiles), isoFiles, minus(domains, listed),
                CLONE_SOURCE_BYTES >> 20, uploaded.get());

        assertTrue("every VM whose create answered 201 exists: missing " + minus(created, listed), listed.containsAll(created));
        assertEquals("the pool lists the VMs' disks and the clone's source, no partial clone", expectedVolumes, volumes);
        assertEquals("the pool folder holds exactly the listed volumes, no temporary file", expectedFiles, poolFiles);
        assertEquals("no ISO listed", 0, get("/pools/default/isos").get("items").size());
        assertEquals("no ISO file, whole or partial", List.of(), isoFiles);
        assertEquals("the simulated node's file holds exactly the listed VMs", listed, domains);
        assertEquals("network definitions", Set.of("crashnet"), definitions("io.quantix.network~"));
        assertEquals("pool definitions", Set.of("default"), definitions("io.quantix.storage.pool~"));
        assertEquals("each VM's port is its own", listed.size(), ports.size());
        assertFalse("the kill hit a create part way (its intent was on disk)", interrupted.isEmpty());
        assertEquals("the create killed part way is rolled back, not listed", Set.of(), intersection(rolledBack, listed));
    }

    // ---- the node as a process ----

    private void start(String run) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(node.resolve("bin/karaf").toString(), "server")
                .redirectErrorStream(true).redirectOutput(work.resolve("karaf-" + run + ".out").toFile());
        pb.environment().put("QUANTIX_DATA_DIR", data.toString());
        pb.environment().put("QUANTIX_CONFIG_DIR", config.toString());
        karaf = pb.start();
        await("the " + run + " node's REST API answering /health on port " + restPort, BOOT, Duration.ofMillis(250), () -> {
            try {
                return http().send(request("/health").GET().build(), BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /**
     * SIGKILL to the node's JVM, then to its launcher script: nothing of the node runs a line after this. Processes
     * the node had started (a qemu-img copying) live on, as they do after a real kill -9.
     */
    /** The node's JVM, the launcher script's child. */
    private static ProcessHandle nodeJvm(Process launcher) {
        return launcher.descendants().filter(p -> p.info().command().filter(c -> c.endsWith("/java")).isPresent())
                .findFirst().orElseThrow(() -> new AssertionError("the node's launcher has no java child"));
    }

    private static void signal(ProcessHandle process, String signal) throws Exception {
        run(List.of("kill", "-" + signal, Long.toString(process.pid())));
    }

    private static void kill(Process launcher) throws InterruptedException {
        launcher.descendants().filter(p -> p.info().command().filter(c -> c.endsWith("/java")).isPresent())
                .forEach(ProcessHandle::destroyForcibly);
        launcher.destroyForcibly();
        if (!launcher.waitFor(30, TimeUnit.SECONDS)) {
            fail("the node's launcher did not end within 30 s of SIGKILL");
        }
    }

    /**
     * The node's own certificate, trusted once it exists (the first start makes it). Before that, the health probe
     * uses a client that trusts nothing and so fails until the certificate is there.
     */
    private HttpClient http() {
        if (client != null) {
            return client;
        }
        Path p12 = config.resolve("certificates/node.p12");
        Path pass = config.resolve("certificates/node.p12.pass");
        if (!Files.exists(pass)) {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        try {
            char[] password = Files.readString(pass).trim().toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                keys.load(in, password);
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("node", keys.getCertificate("node"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            return client;
        } catch (IOException | java.security.GeneralSecurityException e) {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
    }

    // ---- REST ----

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + restPort + "/api/v1" + path))
                .timeout(Duration.ofMinutes(3));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private void login() throws Exception {
        token = null;
        HttpResponse<String> r = post("/auth/login", "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(r.body(), 200, r.statusCode());
        token = JSON.readTree(r.body()).get("token").asText();
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http().send(request(path).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json)).build(), BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http().send(request(path).GET().build(), BodyHandlers.ofString());
        assertEquals(path + ": " + r.body(), 200, r.statusCode());
        return JSON.readTree(r.body());
    }

    /** Sends {@code first} bytes, then blocks (the upload is mid-stream) until the node has been killed. */
    private static final class StalledStream extends InputStream {
        private final long first;
        private final CountDownLatch killed;
        private final AtomicLong sent;

        StalledStream(long first, CountDownLatch killed, AtomicLong sent) {
            this.first = first;
            this.killed = killed;
            this.sent = sent;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (sent.get() >= first) {
                try {
                    killed.await(5, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("upload stopped");
                }
                throw new IOException("the node is gone");
            }
            int n = (int) Math.min(len, first - sent.get());
            java.util.Arrays.fill(b, off, off + n, (byte) 0x42);
            sent.addAndGet(n);
            return n;
        }
    }

    // ---- what is on disk ----

    private static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The core's intent journal: one file per VM create in flight. */
    private static List<Path> intents(Path dir) {
        return files(dir).stream().filter(f -> f.endsWith(".intent")).map(dir::resolve).toList();
    }

    /** Hidden files starting with {@code prefix}: the backend's temporary files. */
    private static List<String> temps(Path dir, String prefix) {
        return files(dir).stream().filter(f -> f.startsWith(prefix) && f.startsWith(".")).toList();
    }

    private static final Pattern DOMAIN_NAME = Pattern.compile("<domain[^>]*>\\s*<name>([^<]+)</name>");

    /**
     * The domains the simulated node holds: its file with the changes of its journal applied in order (one line per
     * change, {@code name<TAB>base64 XML} or {@code name<TAB>-} for an undefine), as the backend reads them at open.
     */
    private static Set<String> domains(Path nodeFile) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = DOMAIN_NAME.matcher(Files.readString(nodeFile, StandardCharsets.UTF_8));
        while (m.find()) {
            names.add(m.group(1));
        }
        Path journal = nodeFile.resolveSibling(nodeFile.getFileName() + ".journal");
        if (Files.exists(journal)) {
            for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                String[] parts = line.split("\t", 2);
                if (parts.length != 2) {
                    continue; // a torn last line, which the backend skips too
                }
                if (parts[1].equals("-")) {
                    names.remove(parts[0]);
                } else {
                    names.add(parts[0]);
                }
            }
        }
        return names;
    }

    /** The names of the definitions of one kind in the node's {@code etc/}. */
    private Set<String> definitions(String prefix) {
        return files(node.resolve("etc")).stream().filter(f -> f.startsWith(prefix) && f.endsWith(".cfg"))
                .map(f -> f.substring(prefix.length(), f.length() - ".cfg".length())).collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- helpers ----

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> both = new TreeSet<>(a);
        both.retainAll(b);
        return both;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** Polls often: the clone's temporary file may exist for only a second. */
    private static void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        await(what, bound, Duration.ofMillis(5), condition);
    }

    private static void await(String what, Duration bound, Duration pause, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + bound + " waiting for: " + what);
            }
            Thread.sleep(pause.toMillis());
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail(command + " failed: " + out);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
