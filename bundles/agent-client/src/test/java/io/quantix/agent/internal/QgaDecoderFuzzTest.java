package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.ExecRequest;
import io.quantix.fuzz.ByteFuzz;
import io.quantix.fuzz.JsonFuzz;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Fuzzes what reads the guest's bytes on the host: the line and sentinel decoder (random streams, any chunking),
 * and the typed calls on replies that are valid ones mutated (JsonFuzz) or byte-edited (ByteFuzz). The decoder never
 * holds more than its limit and frames the same whatever the chunking; every call returns or fails with a
 * QuantixException, never another exception, a hang or a stack overflow.
 */
class QgaDecoderFuzzTest {
    private static final int MAX_LINE = 256;

    private static List<QgaDecoder.Frame> frames(byte[] stream, List<Integer> cuts) {
        QgaDecoder decoder = new QgaDecoder(MAX_LINE);
        List<QgaDecoder.Frame> frames = new ArrayList<>();
        int at = 0;
        List<Integer> ends = new ArrayList<>(cuts.stream().map(c -> Math.floorMod(c, stream.length + 1)).sorted().toList());
        ends.add(stream.length);
        for (int end : ends) {
            ByteBuffer chunk = ByteBuffer.wrap(stream, at, Math.max(0, end - at));
            QgaDecoder.Frame f;
            while ((f = decoder.next(chunk)) != null) {
                frames.add(f);
            }
            assertTrue(decoder.pending() <= MAX_LINE, "buffered " + decoder.pending());
            at = Math.max(at, end);
        }
        return frames;
    }

    /** Frames as comparable text (records holding arrays compare by identity). */
    private static List<String> describe(List<QgaDecoder.Frame> frames) {
        return frames.stream().map(f -> f instanceof QgaDecoder.Line l ? "L" + Arrays.toString(l.bytes()) : f.toString())
                .toList();
    }

    @Property
    void framingIsBoundedAndTheSameForAnyChunking(@ForAll("streams") byte[] stream,
            @ForAll("cuts") List<Integer> cuts) {
        List<QgaDecoder.Frame> whole = frames(stream, List.of());
        assertEquals(describe(whole), describe(frames(stream, cuts)));
        for (QgaDecoder.Frame f : whole) {
            if (f instanceof QgaDecoder.Line line) {
                assertTrue(line.bytes().length <= MAX_LINE);
                for (byte b : line.bytes()) {
                    assertTrue(b != '\n' && b != QgaDecoder.SENTINEL);
                }
            }
        }
    }

    @Property
    void theSyncAnswerIsFoundAfterAnyGarbage(@ForAll("streams") byte[] garbage) {
        QgaDecoder decoder = new QgaDecoder(MAX_LINE);
        decoder.awaitSentinel();
        byte[] clean = new String(garbage, StandardCharsets.ISO_8859_1).replace("\u00ff", "")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] answer = "{\"return\": 42}\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.allocate(clean.length + 1 + answer.length).put(clean).put(QgaDecoder.SENTINEL)
                .put(answer).flip();
        assertInstanceOf(QgaDecoder.Sentinel.class, decoder.next(in));
        QgaDecoder.Line line = assertInstanceOf(QgaDecoder.Line.class, decoder.next(in));
        assertArrayEquals(Arrays.copyOf(answer, answer.length - 1), line.bytes());
        assertNull(decoder.next(in));
    }

    @Example
    void anOversizedLineIsReportedOnceAndTheNextLineIsRead() {
        QgaDecoder decoder = new QgaDecoder(MAX_LINE);
        byte[] stream = ("x".repeat(10 * MAX_LINE) + "\n{}\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.wrap(stream);
        assertEquals(new QgaDecoder.Oversized(10 * MAX_LINE), decoder.next(in));
        assertArrayEquals("{}".getBytes(), assertInstanceOf(QgaDecoder.Line.class, decoder.next(in)).bytes());
    }

    @Provide
    Arbitrary<byte[]> streams() {
        // bytes the decoder cares about, often, among any others
        Arbitrary<Byte> special = Arbitraries.of((byte) '\n', QgaDecoder.SENTINEL, (byte) ' ', (byte) '{', (byte) '\r');
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.oneOf(special, Arbitraries.bytes()).array(byte[].class).ofMaxSize(2000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(MAX_LINE - 2, 3 * MAX_LINE)
                        .map(n -> ("y".repeat(n) + "\n{\"return\":{}}\n").getBytes(StandardCharsets.US_ASCII))));
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 4000).list().ofMaxSize(8);
    }

    /** A valid reply to each command the typed calls send. */
    private static final Map<String, String> REPLIES = new LinkedHashMap<>();

    static {
        REPLIES.put("guest-info", "{\"return\":{\"version\":\"7.2.0\",\"supported_commands\":[{\"name\":\"guest-exec\","
                + "\"enabled\":true,\"success-response\":true}]}}");
        REPLIES.put("guest-get-osinfo", "{\"return\":{\"id\":\"debian\",\"pretty-name\":\"Debian 12\",\"version-id\":\"12\","
                + "\"kernel-release\":\"6.1.0-57-amd64\",\"machine\":\"x86_64\"}}");
        REPLIES.put("guest-get-host-name", "{\"return\":{\"host-name\":\"web-1\"}}");
        REPLIES.put("guest-get-time", "{\"return\":1764600000123456789}");
        REPLIES.put("guest-network-get-interfaces", "{\"return\":[{\"name\":\"eth0\",\"hardware-address\":"
                + "\"52:54:00:ab:cd:ef\",\"ip-addresses\":[{\"ip-address-type\":\"ipv4\",\"ip-address\":\"10.0.0.2\","
                + "\"prefix\":24},{\"ip-address-type\":\"ipv6\",\"ip-address\":\"fe80::1\",\"prefix\":64}]}]}");
        REPLIES.put("guest-exec", "{\"return\":{\"pid\":7}}");
        REPLIES.put("guest-exec-status", "{\"return\":{\"exited\":true,\"exitcode\":0,\"out-data\":\"aGkK\","
                + "\"err-data\":\"\"}}");
        REPLIES.put("guest-file-open", "{\"return\":5}");
        REPLIES.put("guest-file-seek", "{\"return\":{\"position\":3,\"eof\":false}}");
        REPLIES.put("guest-file-read", "{\"return\":{\"count\":3,\"buf-b64\":\"aGkK\",\"eof\":true}}");
        REPLIES.put("guest-file-close", "{\"return\":{}}");
        REPLIES.put("guest-fsfreeze-status", "{\"return\":\"thawed\"}");
        REPLIES.put("guest-fsfreeze-freeze", "{\"return\":1}");
        REPLIES.put("guest-fsfreeze-thaw", "{\"return\":1}");
        REPLIES.put("guest-ping", "{\"return\":{}}");
    }

    /** Each typed call, as a user makes it. */
    private static final List<Consumer<QgaClient>> CALLS = List.of(QgaClient::info, QgaClient::osInfo,
            QgaClient::hostname, QgaClient::time, QgaClient::interfaces, QgaClient::freezeStatus, QgaClient::freeze,
            QgaClient::ping,
            c -> c.exec(ExecRequest.builder("echo").timeout(Duration.ofMillis(20)).build()),
            c -> c.pull("/etc/hostname", 100));

    /** The guest's replies as a transport hands them over: the mutated one for {@code command}, valid ones else. */
    private static QgaClient client(String command, byte[] reply) {
        QgaJson json = new QgaJson(1 << 20);
        QgaTransport transport = new QgaTransport() {
            @Override
            public ObjectNode call(String c, ObjectNode arguments, Duration timeout) {
                return json.reply(c.equals(command) ? reply : REPLIES.get(c).getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void send(String c, ObjectNode arguments, Duration timeout) {
            }

            @Override
            public void close() {
            }
        };
        return new QgaClient(transport, "vm-fuzz", Duration.ofMillis(30), 1 << 20);
    }

    private static void callsReturnOrFailCleanly(String command, byte[] reply) {
        QgaClient client = client(command, reply);
        for (Consumer<QgaClient> call : CALLS) {
            try {
                call.accept(client);
            } catch (QuantixException e) {
                // the clean outcome for a reply the protocol does not allow
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError(command + " reply " + new String(reply, StandardCharsets.UTF_8) + ": " + e, e);
            }
        }
    }

    @Example
    void theValidRepliesAreRead() {
        QgaClient client = client("none", new byte[0]);
        assertEquals("web-1", client.hostname());
        assertEquals("7.2.0", client.info().version());
        assertEquals("hi\n", client.exec(ExecRequest.builder("echo").build()).stdoutText());
        assertEquals("hi\n", new String(client.pull("/etc/hostname", 100).content(), StandardCharsets.UTF_8));
        assertEquals(1764600000123456789L / 1_000_000_000L, client.time().getEpochSecond());
        CALLS.forEach(call -> call.accept(client));
    }

    @Example
    void aNegativeFileSizeIsAnError() {
        // found by mutatedReplies: a seek answered with a negative position sized the read buffer with it
        QgaClient client = client("guest-file-seek", "{\"return\":{\"position\":-1,\"eof\":false}}"
                .getBytes(StandardCharsets.UTF_8));
        QuantixException e = org.junit.jupiter.api.Assertions.assertThrows(QuantixException.class,
                () -> client.pull("/etc/hostname", 100));
        assertEquals(io.quantix.api.ErrorCode.BACKEND_ERROR, e.code());
    }

    @Property
    void mutatedReplies(@ForAll @IntRange(min = 0, max = 14) int which,
            @ForAll("mutations") List<JsonFuzz.Mutation> mutations) {
        String command = new ArrayList<>(REPLIES.keySet()).get(which);
        callsReturnOrFailCleanly(command, JsonFuzz.mutate(REPLIES.get(command), mutations).getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void byteEditedReplies(@ForAll @IntRange(min = 0, max = 14) int which, @ForAll("edits") List<ByteFuzz.Edit> edits) {
        String command = new ArrayList<>(REPLIES.keySet()).get(which);
        callsReturnOrFailCleanly(command, ByteFuzz.apply(REPLIES.get(command).getBytes(StandardCharsets.UTF_8), edits,
                ByteFuzz.tokens("{", "}", "[", "]", "\"", ":", ",", "null", "-1", "1e999", "\\u0000", "\"return\"",
                        "\"error\"", "{\"class\":\"GenericError\",\"desc\":\"x\"}")));
    }

    @Provide
    Arbitrary<List<JsonFuzz.Mutation>> mutations() {
        return JsonFuzz.mutations(3, Arbitraries.of("return", "error", "class", "desc", "pid", "exited", "exitcode",
                "signal", "count", "buf-b64", "eof", "position", "name", "ip-addresses", "prefix", "host-name", "x"));
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> edits() {
        return ByteFuzz.edits(4);
    }
}
