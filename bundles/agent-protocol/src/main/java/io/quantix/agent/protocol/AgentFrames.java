package io.quantix.agent.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The framing of the Quantix agent protocol on its virtio-serial port (org.quantix.agent.0). A virtio-serial
 * port is a byte stream that keeps whatever a restarted peer or a hostile guest left in it, so each frame says
 * where it starts and proves it is whole:
 *
 * <pre>
 *   magic    4 bytes  "QXA" 0x01 (the last byte is the framing version)
 *   length   4 bytes  big-endian length of the payload, 0 ..maxPayload
 *   payload  length bytes (one protobuf AgentMessage, quantix/agent/v1/agent.proto)
 *   crc32c   4 bytes  big-endian CRC-32C of magic, length and payload
 * </pre>
 *
 * The decoder looks for the magic; a header whose length is above the limit, or a frame whose checksum does not
 * match, is not a frame: one byte is skipped and the search goes on, so the stream resynchronises after garbage or
 * a cut frame and never buffers more than one frame of the largest size. Not thread-safe: one reader owns it.
 */
public final class AgentFrames {
    static final byte[] MAGIC = {'Q', 'X', 'A', 1};
    public static final int HEADER = 8;
    public static final int TRAILER = 4;
    /** The largest payload either side of protocol v1 sends: a 1 MiB file chunk or exec input and its message. */
    public static final int MAX_PAYLOAD = (1 << 20) + 4096;

    private final int maxPayload;
    /** bytes read but not yet decoded, from {@code start} to {@code end} */
    private final byte[] buf;
    private int start;
    private int end;
    private long skipped;

    public AgentFrames(int maxPayload) {
        if (maxPayload < 0 || maxPayload > (1 << 30)) {
            throw new IllegalArgumentException("maxPayload " + maxPayload);
        }
        this.maxPayload = maxPayload;
        this.buf = new byte[HEADER + maxPayload + TRAILER];
    }

    /** One frame around {@code payload}. */
    public static byte[] encode(byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + payload.length + TRAILER);
        out.put(MAGIC).putInt(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, HEADER + payload.length);
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** Bytes dropped so far as not part of any frame. */
    public long skipped() {
        return skipped;
    }

    /** Bytes held, at most one frame of the largest size. */
    public int buffered() {
        return end - start;
    }

    /**
     * The payload of the next whole frame, consuming what it reads from {@code input}, or null when the input runs
     * out first (what was read is kept for the next call).
     */
    public byte[] next(ByteBuffer input) {
        while (true) {
            byte[] frame = decode();
            if (frame != null) {
                return frame;
            }
            if (!input.hasRemaining()) {
                return null;
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            int n = Math.min(buf.length - end, input.remaining());
            input.get(buf, end, n);
            end += n;
        }
    }

    /**
     * The peer went quiet with the start of a frame buffered: what waits cannot be a frame that is still coming
     * (the reader's timeout says so), so its first byte is dropped and the search goes on in what is buffered.
     * Call it until {@link #buffered()} is 0; each call may return a frame found behind the false start.
     */
    public byte[] stalled() {
        byte[] whole = decode(); // a frame an earlier stalled() call found behind another
        if (whole != null || end == start) {
            return whole;
        }
        skip();
        return decode();
    }

    /** A frame from the buffer, skipping what cannot start one; null if more bytes are needed. */
    private byte[] decode() {
        while (end - start >= MAGIC.length) {
            if (!magicAt(start)) {
                skip();
                continue;
            }
            if (end - start < HEADER) {
                return null;
            }
            int length = ByteBuffer.wrap(buf, start + MAGIC.length, 4).getInt();
            if (length < 0 || length > maxPayload) {
                skip();
                continue;
            }
            int total = HEADER + length + TRAILER;
            if (end - start < total) {
                return null;
            }
            CRC32C crc = new CRC32C();
            crc.update(buf, start, HEADER + length);
            if ((int) crc.getValue() != ByteBuffer.wrap(buf, start + HEADER + length, 4).getInt()) {
                skip();
                continue;
            }
            byte[] payload = Arrays.copyOfRange(buf, start + HEADER, start + HEADER + length);
            start += total;
            return payload;
        }
        // fewer bytes than a magic: keep them only if they could begin one
        while (start < end && !magicPrefixAt(start)) {
            skip();
        }
        return null;
    }

    private void skip() {
        start++;
        skipped++;
    }

    private boolean magicAt(int at) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (buf[at + i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean magicPrefixAt(int at) {
        for (int i = 0; at + i < end; i++) {
            if (buf[at + i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }
}
