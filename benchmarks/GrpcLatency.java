import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.quantix.proto.node.v1.CreateVMRequest;
import io.quantix.proto.node.v1.Credentials;
import io.quantix.proto.node.v1.ListVMsRequest;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.proto.node.v1.VMSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;

/**
 * Defines VMs through the gRPC API, then measures ListVMs at a fixed request rate, the same method as
 * RestLatency.java: latency is taken from each request's scheduled start, so a slow answer also counts against the
 * requests queued behind it. One TLS channel (HTTP/2 multiplexes the calls), bearer token on each call.
 *   java -cp <grpc jars> GrpcLatency.java <host:port> <config-dir> <user> <password> <vms> <rate/s> <seconds> <limit>
 * Prints figures; asserts nothing.
 */
public class GrpcLatency {
    public static void main(String[] a) throws Exception {
        Path config = Path.of(a[1]);
        int vms = Integer.parseInt(a[4]);
        int rate = Integer.parseInt(a[5]);
        int seconds = Integer.parseInt(a[6]);
        int limit = Integer.parseInt(a[7]);

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
        ManagedChannel channel = Grpc.newChannelBuilder(a[0],
                TlsChannelCredentials.newBuilder().trustManager(tmf.getTrustManagers()).build()).build();

        Credentials credentials = Credentials.newBuilder().setUsername(a[2]).setPassword(a[3]).build();
        var anonymous = NodeDaemonServiceGrpc.newBlockingStub(channel);
        try {
            anonymous.setup(credentials);
        } catch (StatusRuntimeException e) {
            System.out.println("setup: " + e.getStatus().getDescription());
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + anonymous.login(credentials).getToken());
        var blocking = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        var async = NodeDaemonServiceGrpc.newFutureStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

        long defineStart = System.nanoTime();
        List<ListenableFuture<?>> created = new ArrayList<>();
        int ok = 0;
        for (int i = 0; i < vms; i++) {
            created.add(async.createVM(CreateVMRequest.newBuilder().setSpec(VMSpec.newBuilder().setName("bench" + i)
                    .setVcpus(1).setMemoryMib(256).addTags("bench")).build()));
            if (created.size() == 8 || i == vms - 1) { // at most 8 at a time, as the REST benchmark
                for (var f : created) {
                    try {
                        f.get();
                        ok++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        // counted as not defined
                    }
                }
                created.clear();
            }
        }
        System.out.printf("defined %d/%d VMs in %.1f s%n", ok, vms, (System.nanoTime() - defineStart) / 1e9);

        ListVMsRequest list = ListVMsRequest.newBuilder().setLimit(limit).build();
        // unloaded: one request at a time, so the figure is the service time without queueing
        List<Long> sequential = new ArrayList<>();
        int onNode = 0; // the VMs on the node: those defined here and any before (node-scale.sh defines them over REST)
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            onNode = blocking.listVMs(list).getTotal();
            sequential.add(System.nanoTime() - t);
        }
        Collections.sort(sequential);
        System.out.printf("ListVMs(limit=%d) one at a time: p50 %.2f ms, max %.2f ms%n", limit, pct(sequential, 0.5),
                sequential.get(sequential.size() - 1) / 1e6);

        int total = rate * seconds;
        long period = 1_000_000_000L / rate;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<ListenableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * period;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            var call = async.listVMs(list);
            call.addListener(() -> {
                try {
                    call.get();
                    latencies.add(System.nanoTime() - scheduled);
                } catch (Exception e) {
                    // counted as a failure below
                }
            }, Runnable::run);
            pending.add(call);
        }
        for (var p : pending) {
            try {
                p.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // counted below
            }
        }
        int failures = total - latencies.size();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("ListVMs(limit=%d) with %d VMs, %d req/s for %d s: p50 %.2f ms, p99 %.2f ms, max %.2f ms,"
                + " %d failed%n", limit, onNode, rate, seconds, pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6, failures);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        System.exit(0);
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }
}
