import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Defines VMs through the REST API, then measures GET /api/v1/vms at a fixed request rate. Latency is taken
 * from each request's scheduled start, so a slow answer also counts against the requests queued behind it.
 * Then, with a ninth argument, creates that many more VMs one at a time with POST /vms?start=true (201 with the VM
 * RUNNING): create to RUNNING as a user's script meets it.
 *   java RestLatency.java <api-url> <config-dir> <user> <password> <vms> <rate/s> <seconds> <limit> [creates]
 * Prints figures; asserts nothing.
 */
public class RestLatency {
    public static void main(String[] a) throws Exception {
        String api = a[0];
        Path config = Path.of(a[1]);
        int vms = Integer.parseInt(a[4]);
        int rate = Integer.parseInt(a[5]);
        int seconds = Integer.parseInt(a[6]);
        String limit = a[7];

        KeyStore node = KeyStore.getInstance("PKCS12");
        char[] pass = Files.readString(config.resolve("certificates/node.p12.pass")).strip().toCharArray();
        try (InputStream in = Files.newInputStream(config.resolve("certificates/node.p12"))) {
            node.load(in, pass);
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("node", node.getCertificate(node.aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).executor(Executors.newFixedThreadPool(16)).build();

        String credentials = "{\"username\":\"" + a[2] + "\",\"password\":\"" + a[3] + "\"}";
        send(client, post(api + "/setup", null, credentials));
        HttpResponse<String> login = send(client, post(api + "/auth/login", null, credentials));
        Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(login.body());
        if (!m.find()) {
            throw new IllegalStateException("login failed: " + login.statusCode());
        }
        String token = m.group(1);

        long defineStart = System.nanoTime();
        ExecutorService define = Executors.newFixedThreadPool(8);
        List<Future<Integer>> created = new ArrayList<>();
        for (int i = 0; i < vms; i++) {
            String body = "{\"name\":\"bench" + i + "\",\"hypervisor\":\"libvirt\",\"vcpus\":1,\"memoryMiB\":256,"
                    + "\"firmware\":\"BIOS\",\"disks\":[],\"nics\":[],\"bootOrder\":[],\"tags\":[\"bench\"],"
                    + "\"ha\":{\"enabled\":false,\"restartPriority\":0}}";
            created.add(define.submit(() -> send(client, post(api + "/vms", token, body)).statusCode()));
        }
        int ok = 0;
        for (Future<Integer> f : created) {
            ok += f.get() == 201 ? 1 : 0;
        }
        define.shutdown();
        System.out.printf("defined %d/%d VMs in %.1f s%n", ok, vms, (System.nanoTime() - defineStart) / 1e9);

        HttpRequest list = HttpRequest.newBuilder(URI.create(api + "/vms?limit=" + limit))
                .header("Authorization", "Bearer " + token).build();
        // unloaded: one request at a time, so the figure is the service time without queueing
        List<Long> sequential = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            send(client, list);
            sequential.add(System.nanoTime() - t);
        }
        Collections.sort(sequential);
        System.out.printf("GET /vms?limit=%s one at a time: p50 %.2f ms, max %.2f ms%n", limit, pct(sequential, 0.5),
                sequential.get(sequential.size() - 1) / 1e6);
        int total = rate * seconds;
        long period = 1_000_000_000L / rate;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<java.util.concurrent.CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        int failures = 0;
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * period;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            pending.add(client.sendAsync(list, HttpResponse.BodyHandlers.ofByteArray()).thenAccept(r -> {
                if (r.statusCode() == 200) {
                    latencies.add(System.nanoTime() - scheduled);
                }
            }));
        }
        for (var p : pending) {
            try {
                p.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // refused or reset by a saturated node: counted as non-200 below
            }
        }
        failures = total - latencies.size();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("GET /vms?limit=%s with %d VMs, %d req/s for %d s: p50 %.2f ms, p99 %.2f ms, max %.2f ms,"
                + " %d non-200%n", limit, vms, rate, seconds, pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6, failures);

        int creates = a.length > 8 ? Integer.parseInt(a[8]) : 0;
        List<Long> running = new ArrayList<>();
        for (int i = 0; i < creates; i++) {
            String body = "{\"name\":\"create" + i + "\",\"vcpus\":1,\"memoryMiB\":256,\"tags\":[\"bench\"]}";
            long t = System.nanoTime();
            HttpResponse<String> r = send(client, post(api + "/vms?start=true", token, body));
            if (r.statusCode() == 201 && r.body().contains("\"RUNNING\"")) {
                running.add(System.nanoTime() - t);
            }
        }
        if (creates > 0) {
            Collections.sort(running);
            System.out.printf("POST /vms?start=true -> RUNNING, %d one at a time: p50 %.2f ms, p99 %.2f ms,"
                    + " %d not RUNNING%n", creates, pct(running, 0.50), pct(running, 0.99), creates - running.size());
        }
        System.exit(0);
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    private static HttpRequest post(String url, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return (token == null ? b : b.header("Authorization", "Bearer " + token)).build();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
