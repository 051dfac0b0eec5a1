package io.quantix.agent.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.fuzz.ByteFuzz;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the Quantix agent framing: frames survive any chunking, garbage before, between and after them, a
 * cut frame, headers with lengths from 0 to 2^31-1 and byte-level edits; the decoder holds at most one frame and
 * never yields a payload nobody sent.
 */
class AgentFramesFuzzTest {
    private static final int MAX = 512;

    /** Everything the decoder yields from {@code stream} cut at {@code cuts}, then drained as after a stall. */
    private static List<byte[]> decode(byte[] stream, List<Integer> cuts) {
        AgentFrames frames = new AgentFrames(MAX);
        List<byte[]> out = new ArrayList<>();
        List<Integer> ends = new ArrayList<>(cuts.stream().map(c -> Math.floorMod(c, stream.length + 1)).sorted().toList());
        ends.add(stream.length);
        int at = 0;
        for (int end : ends) {
            ByteBuffer chunk = ByteBuffer.wrap(stream, at, Math.max(0, end - at));
            for (byte[] p = frames.next(chunk); p != null; p = frames.next(chunk)) {
                out.add(p);
            }
            assertTrue(frames.buffered() <= AgentFrames.HEADER + MAX + AgentFrames.TRAILER, "buffered " + frames.buffered());
            at = Math.max(at, end);
        }
        while (frames.buffered() > 0) {
            byte[] p = frames.stalled();
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<String> hex(List<byte[]> payloads) {
        return payloads.stream().map(HexFormat.of()::formatHex).toList();
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(p -> out.write(p, 0, p.length));
        return out.toByteArray();
    }

    @Property
    void framesSurviveAnyChunking(@ForAll("payloads") List<byte[]> payloads, @ForAll("cuts") List<Integer> cuts) {
        byte[] stream = concat(payloads.stream().map(AgentFrames::encode).toList());
        assertEquals(hex(payloads), hex(decode(stream, cuts)));
    }

    @Property
    void framesSurviveGarbageAroundThem(@ForAll("payloads") List<byte[]> payloads, @ForAll("garbage") List<byte[]> garbage,
            @ForAll("cuts") List<Integer> cuts) {
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            parts.add(garbage.get(i % garbage.size()));
            parts.add(AgentFrames.encode(payloads.get(i)));
        }
        parts.add(garbage.get(garbage.size() - 1));
        assertEquals(hex(payloads), hex(decode(concat(parts), cuts)));
    }

    @Property
    void aCutFrameCostsOnlyItself(@ForAll("payloads") List<byte[]> payloads, @ForAll int cut) {
        byte[] first = AgentFrames.encode(payloads.get(0));
        byte[] cutFirst = Arrays.copyOf(first, Math.floorMod(cut, first.length));
        List<byte[]> rest = payloads.subList(1, payloads.size());
        List<byte[]> parts = new ArrayList<>(List.of(cutFirst));
        rest.forEach(p -> parts.add(AgentFrames.encode(p)));
        byte[] stream = concat(parts);
        // unless the bytes that follow happen to be the cut-off tail (found by this property: a CRC's last byte
        // equal to the next magic's first): then the first frame is whole, and the stream says so
        Assume.that(stream.length < first.length || !Arrays.equals(first, Arrays.copyOf(stream, first.length)));
        assertEquals(hex(rest), hex(decode(stream, List.of())));
    }

    @Property
    void editedStreamsNeverYieldAPayloadNobodySent(@ForAll("payloads") List<byte[]> payloads,
            @ForAll("edits") List<ByteFuzz.Edit> edits, @ForAll("cuts") List<Integer> cuts) {
        byte[] stream = ByteFuzz.apply(concat(payloads.stream().map(AgentFrames::encode).toList()), edits,
                ByteFuzz.tokens(new String(AgentFrames.MAGIC, java.nio.charset.StandardCharsets.ISO_8859_1)));
        Set<String> sent = payloads.stream().map(HexFormat.of()::formatHex).collect(Collectors.toSet());
        for (String p : hex(decode(stream, cuts))) {
            assertTrue(sent.contains(p), "a forged payload: " + p);
        }
    }

    @Example
    void oversizedAndNegativeLengthsAreNotFrames() {
        List<byte[]> parts = new ArrayList<>();
        for (int length : new int[] {MAX + 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE, 1 << 20}) {
            parts.add(ByteBuffer.allocate(8).put(AgentFrames.MAGIC).putInt(length).array());
        }
        byte[] ok = "{}".getBytes();
        parts.add(AgentFrames.encode(ok));
        AgentFrames frames = new AgentFrames(MAX);
        ByteBuffer in = ByteBuffer.wrap(concat(parts));
        assertArrayEquals(ok, frames.next(in));
        assertNull(frames.next(in));
        assertEquals(5 * 8, frames.skipped());
        assertEquals(0, frames.buffered());
    }

    @Example
    void aFalseHeaderBeforeTheLastFrameIsDroppedOnceThePeerStalls() {
        byte[] ok = "last".getBytes();
        byte[] falseStart = ByteBuffer.allocate(8).put(AgentFrames.MAGIC).putInt(MAX).array();
        AgentFrames frames = new AgentFrames(MAX);
        ByteBuffer in = ByteBuffer.wrap(concat(List.of(falseStart, AgentFrames.encode(ok))));
        assertNull(frames.next(in), "waiting for the " + MAX + " bytes the false header promised");
        assertArrayEquals(ok, decode(concat(List.of(falseStart, AgentFrames.encode(ok))), List.of()).get(0));
    }

    @Provide
    Arbitrary<List<byte[]>> payloads() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX).list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<byte[]>> garbage() {
        // random bytes, and bytes that begin like a frame: a magic, a magic and a length, a whole header
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> lookalike = Arbitraries.integers().between(0, 12).flatMap(n -> Arbitraries.integers()
                .map(length -> Arrays.copyOf(ByteBuffer.allocate(12).put(AgentFrames.MAGIC).putInt(length)
                        .putInt(length).array(), n)));
        return Arbitraries.oneOf(random, lookalike).list().ofMinSize(1).ofMaxSize(7);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 8000).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> edits() {
        return ByteFuzz.edits(4);
    }
}
