package io.quantix.storage.nfs.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** XDR (RFC 4506) encoding of the few types ONC RPC, MOUNT and NFSv3 calls need. */
final class Xdr {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Xdr u32(long value) {
        out.write((int) (value >>> 24));
        out.write((int) (value >>> 16));
        out.write((int) (value >>> 8));
        out.write((int) value);
        return this;
    }

    Xdr u64(long value) {
        return u32(value >>> 32).u32(value);
    }

    Xdr bool(boolean value) {
        return u32(value ? 1 : 0);
    }

    Xdr opaque(byte[] data) {
        u32(data.length);
        out.write(data, 0, data.length);
        for (int i = data.length; i % 4 != 0; i++) {
            out.write(0);
        }
        return this;
    }

    Xdr string(String value) {
        return opaque(value.getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Reads a reply; every read past the end is an {@link java.nio.BufferUnderflowException}. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] data) {
            in = ByteBuffer.wrap(data);
        }

        int u32() {
            return in.getInt();
        }

        long u64() {
            return in.getLong();
        }

        boolean bool() {
            return in.getInt() != 0;
        }

        byte[] opaque() {
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IllegalStateException("XDR opaque of " + length + " bytes exceeds the reply");
            }
            byte[] data = new byte[length];
            in.get(data);
            in.position(in.position() + (4 - length % 4) % 4);
            return data;
        }

        String string() {
            return new String(opaque(), StandardCharsets.UTF_8);
        }

        void skip(int bytes) {
            in.position(in.position() + bytes);
        }
    }
}
