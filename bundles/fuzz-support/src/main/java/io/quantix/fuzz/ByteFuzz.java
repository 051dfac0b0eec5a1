package io.quantix.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Mutations of a valid message, the way a coverage-guided fuzzer's mutator works but without coverage: flip bits,
 * overwrite a 32-bit big-endian word with a value that breaks lengths and counts (XDR, record marks), cut the
 * message short, delete or repeat a range, insert a token of the format (an XML or HTTP fragment). jqwik shrinks a
 * failing list of edits to the few that matter.
 */
public final class ByteFuzz {
    /** Values a length or count field is least ready for. */
    private static final List<Integer> ODD_WORDS = List.of(0, 1, 2, 3, 4, 5, 7, 8, 255, 256, 4095, 4096, 65535, 65536,
            1 << 20, (1 << 20) + 1, 1 << 24, 1 << 30, 0x7fff_fff0, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fff0,
            -2, -1);

    /** One edit at {@code position} (modulo the message's length); what {@code length} and {@code value} mean depends on the kind. */
    public record Edit(Kind kind, int position, int length, int value) {
        public enum Kind { FLIP, WORD, CUT, DELETE, REPEAT, INSERT }

        byte[] apply(byte[] data, List<byte[]> tokens) {
            if (data.length == 0) {
                return kind == Kind.INSERT && !tokens.isEmpty() ? tokens.get(Math.floorMod(value, tokens.size())).clone() : data;
            }
            int at = Math.floorMod(position, data.length);
            int span = Math.min(length, data.length - at);
            return switch (kind) {
                case FLIP -> {
                    byte[] b = data.clone();
                    b[at] ^= (byte) (value == 0 ? 1 : value);
                    yield b;
                }
                case WORD -> {
                    byte[] b = data.clone();
                    int word = ODD_WORDS.get(Math.floorMod(value, ODD_WORDS.size()));
                    for (int i = 0; i < 4 && at + i < b.length; i++) {
                        b[at + i] = (byte) (word >>> (24 - 8 * i));
                    }
                    yield b;
                }
                case CUT -> Arrays.copyOf(data, at);
                case DELETE -> concat(Arrays.copyOf(data, at), Arrays.copyOfRange(data, at + span, data.length));
                case REPEAT -> {
                    byte[] range = Arrays.copyOfRange(data, at, at + span);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.write(data, 0, at + span);
                    for (int i = 0; i < 1 + Math.floorMod(value, 64); i++) {
                        out.write(range, 0, range.length);
                    }
                    out.write(data, at + span, data.length - at - span);
                    yield out.toByteArray();
                }
                case INSERT -> tokens.isEmpty() ? data : concat(concat(Arrays.copyOf(data, at),
                        tokens.get(Math.floorMod(value, tokens.size()))), Arrays.copyOfRange(data, at, data.length));
            };
        }
    }

    private ByteFuzz() {
    }

    /** One to {@code maxEdits} edits; apply them with {@link #apply}. */
    public static Arbitrary<List<Edit>> edits(int maxEdits) {
        return Combinators.combine(Arbitraries.of(Edit.Kind.class), Arbitraries.integers().between(0, 1 << 16),
                Arbitraries.integers().between(1, 64), Arbitraries.integers())
                .as(Edit::new).list().ofMinSize(1).ofMaxSize(maxEdits);
    }

    /** {@code data} after the edits, in order; {@code tokens} are what INSERT inserts. */
    public static byte[] apply(byte[] data, List<Edit> edits, List<byte[]> tokens) {
        byte[] result = data;
        for (Edit e : edits) {
            result = e.apply(result, tokens);
        }
        return result;
    }

    /** Text tokens as UTF-8, for {@link #apply}. */
    public static List<byte[]> tokens(String... tokens) {
        return Arrays.stream(tokens).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
