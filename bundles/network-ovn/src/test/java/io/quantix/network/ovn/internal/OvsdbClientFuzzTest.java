package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.fuzz.ByteFuzz;
import io.quantix.fuzz.JsonFuzz;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the OVSDB JSON-RPC decoding: the client's reader thread and what the driver makes of the rows. The server
 * is a loopback TCP socket speaking RFC 7047 framing (concatenated JSON values) that answers like ovsdb-server
 * until a try hands it one frame to answer with instead (random bytes, random JSON, or a valid answer mutated: a
 * wrong type, a huge number, deep nesting, a long string, a field removed, then perhaps cut short), after which it
 * closes the connection. The client must end the call with a value or a QuantixException, keep its reader thread,
 * and be usable again once it has reconnected. One client serves every try, as one serves the driver for its life.
 */
class OvsdbClientFuzzTest {
    private static final String ID = "\"@id@\"";
    /** Valid answers to the calls below, with {@link #ID} where the request's id goes. */
    private static final String SELECT_PORTS = "{\"id\":" + ID + ",\"error\":null,\"result\":[{\"rows\":["
            + "{\"name\":\"p1\",\"addresses\":[\"set\",[\"52:54:00:00:00:01 10.0.0.5\"]],\"up\":[\"set\",[true]],"
            + "\"external_ids\":[\"map\",[[\"quantix:network\",\"lan\"],[\"quantix:vm\",\"web1\"],[\"quantix:tags\",\"role=web\"]]]},"
            + "{\"name\":\"p2\",\"addresses\":\"52:54:00:00:00:02\",\"up\":false,\"external_ids\":[\"map\",[]]}]}]}";
    private static final String LIST_DBS = "{\"id\":" + ID + ",\"error\":null,\"result\":[\"OVN_Northbound\"]}";
    private static final String ERROR = "{\"id\":" + ID + ",\"result\":null,\"error\":\"syntax error\",\"details\":\"x\"}";
    private static final String UPDATE = "{\"id\":null,\"method\":\"update\",\"params\":[\"qx-1\",{\"Logical_Switch_Port\":"
            + "{\"0b7e5a52-9d58-4d47-bd83-5d5a1a8d7c11\":{\"new\":{\"name\":\"p1\",\"external_ids\":[\"map\",[[\"quantix:vm\",\"web1\"]]],"
            + "\"addresses\":[\"set\",[\"52:54:00:00:00:01\"]]}}}}]}";
    private static final String ECHO = "{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}";

    /** What a try does with the client. */
    enum Op { PORTS, PORT, LIST_DBS }

    private static ServerSocket listener;
    private static OvsdbClient client;
    private static OvnNorthbound nb;
    /** The next frame to answer a transact or list_dbs with (then the server closes); null: answer as ovsdb-server. */
    private static final AtomicReference<byte[]> FUZZ = new AtomicReference<>();
    /** Monitor notifications ("update") the listener has read. */
    private static final AtomicLong UPDATES = new AtomicLong();

    @BeforeContainer
    static void start() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(OvsdbClientFuzzTest::serve, "fuzz-ovsdb-server");
        server.setDaemon(true);
        server.start();
        client = new OvsdbClient(OvsdbEndpoint.parse("tcp:127.0.0.1:" + listener.getLocalPort()), Duration.ofSeconds(20));
        nb = new OvnNorthbound(client);
        // a monitor whose listener reads the rows as a driver would: a malformed update makes it throw
        client.monitor("OVN_Northbound", OvsdbClient.JSON.createObjectNode(), (initial, updates) -> {
            updates.fields().forEachRemaining(table -> table.getValue().fields().forEachRemaining(row -> {
                JsonNode now = row.getValue().path("new");
                Ovsdb.stringMap(now.get("external_ids"));
                Ovsdb.strings(now.get("addresses"));
            }));
            if (!initial) {
                // counted: the notifications; the initial state comes again on every reconnect
                UPDATES.incrementAndGet();
            }
        });
    }

    @AfterContainer
    static void stop() throws IOException {
        client.close();
        listener.close();
    }

    private static void serve() {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept();
                    MappingIterator<JsonNode> requests = OvsdbClient.JSON.readerFor(JsonNode.class).readValues(s.getInputStream())) {
                OutputStream out = s.getOutputStream();
                while (requests.hasNextValue()) {
                    JsonNode request = requests.nextValue();
                    String method = request.path("method").asText();
                    String id = request.path("id").toString();
                    byte[] fuzz = method.equals("monitor") ? null : FUZZ.getAndSet(null);
                    if (fuzz != null) {
                        out.write(new String(fuzz, StandardCharsets.ISO_8859_1).replace(ID, id).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        break;
                    }
                    String answer = switch (method) {
                        case "monitor" -> "{\"id\":" + ID + ",\"error\":null,\"result\":{}}";
                        case "list_dbs" -> LIST_DBS;
                        case "transact" -> "{\"id\":" + ID + ",\"error\":null,\"result\":[{\"rows\":[]}]}";
                        default -> null;
                    };
                    if (answer != null) {
                        out.write(answer.replace(ID, id).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the client hung up, or sent what this server does not read: wait for the next connection
            }
        }
    }

    /** The property: a value or a QuantixException, the reader thread alive, the client usable again. */
    private static void answersOrFailsCleanly(Op op, byte[] frame) {
        FUZZ.set(frame);
        try {
            switch (op) {
                case PORTS -> nb.ports("lan");
                case PORT -> nb.port("p1");
                case LIST_DBS -> client.call("list_dbs", OvsdbClient.JSON.createArrayNode());
            }
        } catch (QuantixException e) {
            // the clean outcome for a broken answer
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(op + " failed with " + e, e);
        } finally {
            FUZZ.set(null);
        }
        assertTrue(readerAlive(), "the client's reader thread died");
        assertUsable();
    }

    /**
     * The server closed after the fuzzed frame; the client reconnects at once, but until its reader has seen the old
     * connection end (a busy machine may take a while to run it), a call can still go out on it and fail.
     */
    private static void assertUsable() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        QuantixException last;
        do {
            try {
                assertEquals("OVN_Northbound", client.call("list_dbs", OvsdbClient.JSON.createArrayNode()).path(0).asText());
                return;
            } catch (QuantixException e) {
                last = e;
            }
            sleep(5);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the client did not answer list_dbs again within 30 s of the broken answer", last);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the client to reconnect", e);
        }
    }

    private static boolean readerAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("ovsdb-tcp:127.0.0.1:" + listener.getLocalPort()) && t.isAlive());
    }

    @Example
    void theValidAnswersAreReadAsMeant() {
        FUZZ.set(SELECT_PORTS.getBytes(StandardCharsets.UTF_8));
        List<OvnNorthbound.Port> ports = nb.ports("lan");
        assertEquals(List.of("p1", "p2"), ports.stream().map(OvnNorthbound.Port::id).toList());
        assertEquals(new OvnNorthbound.Port("p1", "lan", "web1", "52:54:00:00:00:01", java.util.Optional.of("10.0.0.5"),
                List.of("role=web"), true), ports.get(0));
        assertUsable();
        long updates = UPDATES.get();
        FUZZ.set((UPDATE + LIST_DBS).getBytes(StandardCharsets.UTF_8));
        client.call("list_dbs", OvsdbClient.JSON.createArrayNode());
        assertEquals(updates + 1, UPDATES.get(), "the update before the answer reached the monitor's listener");
    }

    @Property
    void mutatedAnswers(@ForAll Op op, @ForAll("frames") List<String> messages, @ForAll @IntRange(max = 1) int which,
            @ForAll("mutations") List<JsonFuzz.Mutation> mutations, @ForAll("damage") List<ByteFuzz.Edit> damage) {
        // one of the frame's messages mutated; the messages follow each other with nothing between, as on the wire
        StringBuilder frame = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            frame.append(i == which % messages.size() ? JsonFuzz.mutate(messages.get(i), mutations) : messages.get(i));
        }
        answersOrFailsCleanly(op, ByteFuzz.apply(frame.toString().getBytes(StandardCharsets.UTF_8), damage, List.of()));
    }

    @Property
    void randomJson(@ForAll Op op, @ForAll("json") String frame) {
        answersOrFailsCleanly(op, frame.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void randomBytes(@ForAll Op op, @ForAll("bytes") byte[] frame) {
        answersOrFailsCleanly(op, frame);
    }

    /** The decoders alone, on any JSON value where a column's value belongs. */
    @Property
    void rowValues(@ForAll("json") String value) {
        JsonNode node;
        try {
            node = OvsdbClient.JSON.readTree(value);
        } catch (IOException e) {
            return; // not JSON (NaN, a lone surrogate): the reader thread refuses it before any decoder sees it
        }
        for (Runnable read : List.<Runnable>of(() -> Ovsdb.atoms(node), () -> Ovsdb.strings(node),
                () -> Ovsdb.stringMap(node), () -> Ovsdb.atomText(node), () -> Ovsdb.uuidOf(node), () -> Ovsdb.rows(node))) {
            try {
                read.run();
            } catch (QuantixException e) {
                assertEquals(ErrorCode.BACKEND_ERROR, e.code());
            }
        }
    }

    @Provide
    Arbitrary<List<String>> frames() {
        // an answer alone, or after a notification or an echo request, as ovsdb-server may interleave them
        Arbitrary<String> answer = Arbitraries.of(SELECT_PORTS, LIST_DBS, ERROR);
        return Arbitraries.frequencyOf(Tuple.of(4, answer.map(List::of)),
                Tuple.of(1, Combinators.combine(Arbitraries.of(UPDATE, ECHO), answer).as(List::of)));
    }

    @Provide
    Arbitrary<List<JsonFuzz.Mutation>> mutations() {
        return JsonFuzz.mutations(3, Arbitraries.of("id", "result", "error", "method", "params", "rows", "name",
                "addresses", "external_ids", "up", "_uuid", "new", "old"));
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> damage() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(List.<ByteFuzz.Edit>of())), Tuple.of(2, ByteFuzz.edits(2)));
    }

    @Provide
    Arbitrary<String> json() {
        return JsonFuzz.values(4);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
    }

    @Example
    void anAnswerWithoutAResultIsABackendErrorNotANullPointer() {
        // found by mutatedAnswers: transact read result.size() of a reply that had neither result nor error
        FUZZ.set(("{\"id\":" + ID + ",\"error\":null}").getBytes(StandardCharsets.UTF_8));
        QuantixException e = assertThrows(QuantixException.class, () -> nb.ports("lan"));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertUsable();
    }

    @Example
    void aMalformedUpdateDoesNotEndTheReaderThread() {
        // a listener's exception (here the map decoder's, on a pair that is no pair) escaped the reader thread's loop:
        // the thread ended, and every later call waited for answers nobody read
        String update = UPDATE.replace("[\"map\",[[\"quantix:vm\",\"web1\"]]]", "[\"map\",[5]]");
        FUZZ.set((update + LIST_DBS).getBytes(StandardCharsets.UTF_8));
        client.call("list_dbs", OvsdbClient.JSON.createArrayNode());
        assertTrue(readerAlive(), "the client's reader thread died");
        assertUsable();
    }

    @Example
    void anEndlessMessageIsCutOffInsteadOfBuffered() throws Exception {
        // a second server: it streams one JSON array that never ends, 1 MiB strings at a time, up to 4 x the limit
        long limit = OvsdbClient.MAX_MESSAGE_BYTES;
        AtomicLong sent = new AtomicLong();
        AtomicReference<Boolean> hungUp = new AtomicReference<>(false);
        try (ServerSocket endless = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = endless.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = ("\"" + "x".repeat((1 << 20) - 4) + "\",").getBytes(StandardCharsets.US_ASCII);
                    out.write("{\"id\":1,\"result\":[".getBytes(StandardCharsets.US_ASCII));
                    while (sent.get() < 4 * limit) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    hungUp.set(true);
                }
            }, "fuzz-ovsdb-endless");
            server.start();
            try (OvsdbClient endlessClient = new OvsdbClient(OvsdbEndpoint.parse("tcp:127.0.0.1:" + endless.getLocalPort()),
                    Duration.ofSeconds(60))) {
                QuantixException e = assertThrows(QuantixException.class,
                        () -> endlessClient.call("list_dbs", OvsdbClient.JSON.createArrayNode()));
                assertEquals(ErrorCode.BACKEND_ERROR, e.code());
            }
            server.join(Duration.ofSeconds(60).toMillis());
            assertTrue(hungUp.get(), "the client read all " + sent.get() + " bytes of one message (limit " + limit + ")");
            assertTrue(sent.get() < 2 * limit, "the client hung up only after " + sent.get() + " bytes");
        }
    }
}
