package io.quantix.storage.nfs.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One ONC RPC (RFC 5531) connection over TCP with record marking, calling as root with AUTH_SYS: what the NFS
 * server expects of a hypervisor node (the export squashes nothing for it, as for QEMU's own NFS client).
 */
final class RpcConnection implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private static final int LAST_FRAGMENT = 0x8000_0000;
    private static final int MAX_REPLY = 1 << 20;

    private final Socket socket;
    private final int program;
    private final int version;

    RpcConnection(String host, int port, int program, int version) throws IOException {
        this.program = program;
        this.version = version;
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Calls a procedure and returns a reader positioned at its results; IOException if the call was not accepted. */
    Xdr.Reader call(int procedure, byte[] args) throws IOException {
        int xid = ThreadLocalRandom.current().nextInt();
        Xdr call = new Xdr().u32(xid).u32(0).u32(2).u32(program).u32(version).u32(procedure);
        // AUTH_SYS credentials: stamp, machine name, uid 0, gid 0, no extra groups; AUTH_NONE verifier
        byte[] cred = new Xdr().u32(0).string("quantix").u32(0).u32(0).u32(0).bytes();
        call.u32(1).opaque(cred).u32(0).u32(0);
        byte[] head = call.bytes();
        // one write: the record in three small writes met the server's delayed ACK (Nagle), 40 ms a call
        ByteBuffer record = ByteBuffer.allocate(4 + head.length + args.length)
                .putInt(LAST_FRAGMENT | (head.length + args.length)).put(head).put(args);
        OutputStream out = socket.getOutputStream();
        out.write(record.array());
        out.flush();
        Xdr.Reader reply = new Xdr.Reader(readRecord());
        if (reply.u32() != xid || reply.u32() != 1) {
            throw new IOException("the RPC reply does not answer the call");
        }
        if (reply.u32() != 0) {
            throw new IOException("the server refused the RPC call (authentication)");
        }
        reply.u32();
        reply.opaque();
        int accept = reply.u32();
        if (accept != 0) {
            throw new IOException("the server did not accept the RPC call (accept_stat " + accept + ")");
        }
        return reply;
    }

    private byte[] readRecord() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        java.io.ByteArrayOutputStream record = new java.io.ByteArrayOutputStream();
        boolean last = false;
        while (!last) {
            int mark = in.readInt();
            last = (mark & LAST_FRAGMENT) != 0;
            int length = mark & ~LAST_FRAGMENT;
            // MAX_REPLY - size, not size + length: that sum overflows for a length near 2^31 and let it through
            if (length > MAX_REPLY - record.size()) {
                throw new IOException("RPC reply too large");
            }
            byte[] fragment = new byte[length];
            in.readFully(fragment);
            record.write(fragment);
        }
        return record.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
