package io.quantix.agent.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Splits what a guest agent sends into frames: newline-terminated JSON lines, and the 0xFF sentinel that
 * guest-sync-delimited puts before its answer (0xFF never occurs in UTF-8, so it cannot be part of a line). A line
 * longer than the limit is dropped up to its newline and reported once, so a guest cannot make the host buffer
 * without bound. Not thread-safe: one reader owns it.
 */
final class QgaDecoder {
    static final byte SENTINEL = (byte) 0xFF;

    /** What the decoder found. */
    sealed interface Frame permits Line, Sentinel, Oversized {
    }

    /** One line, without its newline; never empty or only white space. */
    record Line(byte[] bytes) implements Frame {
    }

    record Sentinel() implements Frame {
    }

    /** A line longer than the limit was dropped. */
    record Oversized(long bytes) implements Frame {
    }

    private final int maxLine;
    private byte[] line = new byte[256];
    private int length;
    /** bytes of the oversized line dropped so far, or -1 when not dropping */
    private long dropped = -1;
    private boolean awaitingSentinel;

    QgaDecoder(int maxLine) {
        if (maxLine < 16) {
            throw new IllegalArgumentException("maxLine " + maxLine);
        }
        this.maxLine = maxLine;
    }

    /** Drops everything up to the next sentinel (after a guest-sync-delimited request). */
    void awaitSentinel() {
        awaitingSentinel = true;
        reset();
    }

    /** Bytes of a line begun but not ended. */
    int pending() {
        return length;
    }

    /** The next frame in {@code input}, consuming what it reads, or null when the input runs out first. */
    Frame next(ByteBuffer input) {
        while (input.hasRemaining()) {
            byte b = input.get();
            if (b == SENTINEL) {
                awaitingSentinel = false;
                reset();
                return new Sentinel();
            }
            if (awaitingSentinel) {
                continue;
            }
            if (b == '\n') {
                if (dropped >= 0) {
                    long size = dropped;
                    reset();
                    return new Oversized(size);
                }
                Frame frame = blank() ? null : new Line(Arrays.copyOf(line, length));
                length = 0;
                if (frame != null) {
                    return frame;
                }
            } else if (dropped >= 0) {
                dropped++;
            } else if (length == maxLine) {
                dropped = length + 1L;
                length = 0;
                line = new byte[256];
            } else {
                if (length == line.length) {
                    line = Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
                }
                line[length++] = b;
            }
        }
        return null;
    }

    private boolean blank() {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private void reset() {
        length = 0;
        dropped = -1;
        if (line.length > 4096) {
            line = new byte[256];
        }
    }
}
