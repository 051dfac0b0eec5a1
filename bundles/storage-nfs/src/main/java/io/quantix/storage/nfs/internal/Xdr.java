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

    /**
     * Reads a reply. Every read is checked against what the reply holds, so a short or lying reply is an
     * {@link IllegalStateException}, never a read past the end or an allocation the server's length chose.
     */
    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] data) {
            in = ByteBuffer.wrap(data);
        }

        int u32() {
            need(4, "a 32-bit value");
            return in.getInt();
        }

        long u64() {
            need(8, "a 64-bit value");
            return in.getLong();
        }

        boolean bool() {
            return u32() != 0;
        }

        byte[] opaque() {
            int length = u32();
            // checked before allocating: the length is the server's word
            if (length < 0 || length > in.remaining()) {
                throw new IllegalStateException("XDR opaque of " + Integer.toUnsignedString(length) + " bytes exceeds the reply");
            }
            byte[] data = new byte[length];
            in.get(data);
            skip((4 - length % 4) % 4);
            return data;
        }

        String string() {
            return new String(opaque(), StandardCharsets.UTF_8);
        }

        void skip(int bytes) {
            need(bytes, bytes + " bytes");
            in.position(in.position() + bytes);
        }

        private void need(int bytes, String what) {
            if (in.remaining() < bytes) {
                throw new IllegalStateException("the XDR reply ends before " + what + " (" + in.remaining() + " bytes left)");
            }
        }
    }
}
