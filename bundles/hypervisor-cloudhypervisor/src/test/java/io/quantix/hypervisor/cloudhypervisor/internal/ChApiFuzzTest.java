package io.quantix.hypervisor.cloudhypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.HaPolicy;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.fuzz.ByteFuzz;
import io.quantix.fuzz.JsonFuzz;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes what the Cloud Hypervisor backend reads: the VMM's HTTP answers on its API socket (UnixHttpClient, ChApi)
 * and the VM records it keeps on disk (VmRecords). The VMM is a Unix socket that answers each connection with the
 * try's bytes and closes, as CH does ({@code Connection: close}): random bytes, or a valid answer with its JSON body
 * mutated (wrong types, huge numbers, deep nesting, long strings) and then its bytes edited with HTTP tokens (a line
 * break, a second header block, a Content-Length that lies, chunked encoding, another version). Every call returns or
 * fails with a QuantixException; none throws a runtime exception, none hangs past its deadline.
 */
class ChApiFuzzTest {
    private static final String INFO = """
            {"config":{"cpus":{"boot_vcpus":2,"max_vcpus":2},"memory":{"size":536870912}},"state":"Running",
             "memory_actual_size":536870912,"device_tree":{}}""";
    private static final String COUNTERS = """
            {"_disk0":{"read_bytes":4096,"write_bytes":512,"read_ops":1,"write_ops":1},
             "_net1":{"rx_bytes":100,"tx_bytes":200,"rx_frames":1,"tx_frames":2}}""";
    private static final List<byte[]> TOKENS = ByteFuzz.tokens("\r\n", "\r\n\r\n", "\n", "Content-Length: 0\r\n",
            "Content-Length: 99999999999\r\n", "Content-Length: -1\r\n", "Content-Length: 16777217\r\n",
            "Content-Length: 1e3\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n", "HTTP/1.0 ",
            "HTTP/2 200 OK", "HTTP/1.1 204 No Content\r\n", "HTTP/1.1 99999999999 X", ": ", ":", " ", "\u0000", "\u00ff");

    /** A VM with every kind of field its record holds. */
    private static final Vm VM = new Vm("3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13", VmSpec.builder("web1").hypervisor("cloud-hypervisor")
            .vcpus(2).memoryMiB(512).disk(DiskSpec.of("default", 1L << 30))
            .nic(new NicSpec("lan", Optional.of("52:54:00:aa:bb:01"), NicModel.VIRTIO)).boot(BootDevice.DISK).tag("web")
            .ha(new HaPolicy(true, 5)).directBoot(new DirectBoot("/boot/vmlinuz", "/boot/initrd", "console=ttyS0")).build(),
            PowerState.STOPPED,
            List.of(new AttachedDisk(new VolumeRef("default", "web1-disk0"), new DiskSource.File("/data/default/web1-disk0.raw"),
                    VolumeFormat.RAW, DiskBus.VIRTIO)),
            List.of(new AttachedNic("lan", "port-1", "52:54:00:aa:bb:01", NicModel.VIRTIO, new NicBinding.Bridge("br-lan"))));

    /** What the backend asks a VMM. */
    enum Call { STATE, COUNTERS, PING, BOOT }

    private static Path dir;
    private static Path socket;
    private static ServerSocketChannel server;
    private static final AtomicReference<byte[]> ANSWER = new AtomicReference<>();
    private static final AtomicLong SENT = new AtomicLong();

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("qx-ch-fuzz");
        socket = dir.resolve("api.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(ChApiFuzzTest::serve, "fuzz-ch-vmm");
        t.setDaemon(true);
        t.start();
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Reads a request's head (the backend sends no body it needs answered first), answers the try's bytes, closes. */
    private static void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(65536);
                while (ch.read(in) > 0 && !new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                    // the head arrives in a write or two
                }
                ByteBuffer out = ByteBuffer.wrap(ANSWER.get());
                while (out.hasRemaining()) {
                    SENT.addAndGet(ch.write(out));
                }
            } catch (IOException e) {
                // the client hung up first: what a client with a bound does
            }
        }
    }

    private static byte[] response(int status, String body) {
        String head = "HTTP/1.1 " + status + " X\r\nServer: Cloud Hypervisor API\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n") + "\r\n";
        return (head + (body == null ? "" : body)).getBytes(StandardCharsets.UTF_8);
    }

    private static ChApi api() {
        return new ChApi("web1", socket, Duration.ofSeconds(10));
    }

    private static void answersOrFailsCleanly(Call call, byte[] answer) {
        ANSWER.set(answer);
        try {
            switch (call) {
                case STATE -> api().state();
                case COUNTERS -> api().counters();
                case PING -> api().vmmAnswers();
                case BOOT -> api().boot();
            }
        } catch (QuantixException e) {
            // the clean outcome for a broken answer
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(call + " failed with " + e, e);
        }
    }

    @Example
    void theValidAnswersAreReadAsMeant() {
        assertEquals(VM, VmRecords.parse(VmRecords.toJson(VM)));
        ANSWER.set(response(200, INFO));
        assertEquals(ChApi.VmState.Running, api().state().orElseThrow());
        ANSWER.set(response(200, COUNTERS));
        assertEquals(4096, api().counters().path("_disk0").path("read_bytes").asLong());
        ANSWER.set(response(204, null));
        api().boot();
    }

    @Property
    void mutatedAnswers(@ForAll Call call, @ForAll("statuses") int status, @ForAll("bodies") String body,
            @ForAll("mutations") List<JsonFuzz.Mutation> mutations, @ForAll("edits") List<ByteFuzz.Edit> edits) {
        byte[] valid = response(status, body == null ? null : JsonFuzz.mutate(body, mutations));
        answersOrFailsCleanly(call, ByteFuzz.apply(valid, edits, TOKENS));
    }

    @Property
    void randomBytes(@ForAll Call call, @ForAll("bytes") byte[] answer) {
        answersOrFailsCleanly(call, answer);
    }

    @Provide
    Arbitrary<Integer> statuses() {
        return Arbitraries.of(200, 204, 404, 405, 500);
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.of(INFO, COUNTERS, "[\"VmNotCreated\"]").injectNull(0.1);
    }

    @Provide
    Arbitrary<List<JsonFuzz.Mutation>> mutations() {
        return JsonFuzz.mutations(3, Arbitraries.of("state", "config", "read_bytes", "rx_bytes", "_disk0", "_net1", ""));
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> edits() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(List.<ByteFuzz.Edit>of())), Tuple.of(3, ByteFuzz.edits(3)));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
    }

    @Property
    void mutatedRecords(@ForAll("mutations") List<JsonFuzz.Mutation> mutations, @ForAll("edits") List<ByteFuzz.Edit> edits)
            throws IOException {
        // the record the backend wrote, edited behind its back: the VM as written, or BACKEND_ERROR
        VmRecords records = new VmRecords(dir);
        String valid = VmRecords.toJson(VM).toString();
        Files.write(records.file("web1"), ByteFuzz.apply(JsonFuzz.mutate(valid, mutations).getBytes(StandardCharsets.UTF_8),
                edits, List.of()));
        try {
            records.read("web1");
        } catch (QuantixException e) {
            // the clean outcome
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("reading the record failed with " + e, e);
        }
    }

    @Example
    void anEndlessHeaderIsCutOffEarly() {
        // 16 MiB without the blank line that ends a header: the client copied everything it had received on every
        // read while looking for it, 16 GB of copying before it gave up; found by this class
        byte[] endless = new byte[16 << 20];
        java.util.Arrays.fill(endless, (byte) 'a');
        SENT.set(0);
        ANSWER.set(endless);
        QuantixException e = assertThrows(QuantixException.class, () -> api().boot());
        assertTrue(e.getMessage().contains("header"), e.getMessage());
        assertTrue(SENT.get() < 4 << 20, "the VMM could send " + SENT.get() + " bytes of header before the client hung up");
    }
}
