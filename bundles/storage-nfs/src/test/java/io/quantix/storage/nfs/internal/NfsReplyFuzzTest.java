package io.quantix.storage.nfs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.fuzz.ByteFuzz;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the NFS client's XDR decoding with the replies of a hostile server: random bytes, and valid NFSv3 replies
 * to each call the client makes, mutated (bits flipped, lengths and counts replaced by odd 32-bit words, cut short,
 * ranges deleted or repeated). The server is a loopback TCP socket speaking ONC RPC record marking, as rpcbind-found
 * NFS services do; it answers one call per connection and then closes, so nothing waits for a read timeout.
 * Whatever it sends, the client returns a value or a QuantixException: never a runtime exception, never an
 * allocation sized by the server's word, never a loop that asks again forever.
 */
class NfsReplyFuzzTest {
    private static final int NFS = 100003;
    private static final byte[] HANDLE = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    /** One client operation with a valid answer to its (first) call. */
    enum Op {
        LOOKUP, SIZE, LIST, FSSTAT, REMOVE, MKDIR, LINK;

        /** The reply body after the RPC header: what an NFSv3 server answers when all is well. */
        byte[] validResults() {
            return switch (this) {
                case LOOKUP, SIZE, MKDIR, LINK -> attributes(attributes(new Xdr().u32(0).opaque(HANDLE))).bytes();
                case LIST -> attributes(new Xdr().u32(0)).u64(0x1234)
                        .bool(true).u64(1).string(".").u64(1)
                        .bool(true).u64(2).string("disk-a.qcow2").u64(2)
                        .bool(false).bool(true).bytes();
                case FSSTAT -> attributes(new Xdr().u32(0)).u64(1L << 40).u64(1L << 39).u64(1L << 38).u64(100).u64(50)
                        .u64(50).u32(0).bytes();
                case REMOVE -> new Xdr().u32(0).bool(false).bool(false).bytes();
            };
        }

        void run(NfsClient client) {
            switch (this) {
                case LOOKUP -> client.lookup(List.of("pools", "default"));
                case SIZE -> client.size(HANDLE, "disk-a.qcow2");
                case LIST -> client.list(HANDLE);
                case FSSTAT -> client.fsstat();
                case REMOVE -> client.remove(HANDLE, "disk-a.qcow2");
                case MKDIR -> client.mkdir(HANDLE, "pools");
                case LINK -> client.link(HANDLE, "disk-a.qcow2", "disk-b.qcow2");
            }
        }
    }

    private static ServerSocket listener;
    private static Thread server;
    /** The current try's answer to a call with this xid (the whole record, mark included); null closes at once. */
    private static volatile IntFunction<byte[]> answer;
    /** Whether the server waits for another call after answering (else it closes, and the client's next call fails). */
    private static volatile boolean keepOpen;
    private static final AtomicInteger CALLS = new AtomicInteger();

    @BeforeContainer
    static void startServer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server = new Thread(NfsReplyFuzzTest::serve, "fuzz-nfs-server");
        server.setDaemon(true);
        server.start();
    }

    @AfterContainer
    static void stopServer() throws IOException {
        listener.close();
    }

    private static void serve() {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    int mark = in.readInt();
                    byte[] call = new byte[mark & 0x7fff_ffff];
                    in.readFully(call);
                    CALLS.incrementAndGet();
                    int xid = (call[0] & 0xff) << 24 | (call[1] & 0xff) << 16 | (call[2] & 0xff) << 8 | call[3] & 0xff;
                    byte[] reply = answer.apply(xid);
                    if (reply == null) {
                        break;
                    }
                    out.write(reply);
                    out.flush();
                    if (!keepOpen) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the client went, or the test is over: next connection
            }
        }
    }

    private static byte[] record(int xid, byte[] results) {
        byte[] payload = new Xdr().u32(xid).u32(1).u32(0).u32(0).u32(0).u32(0).bytes();
        byte[] body = concat(payload, results);
        return concat(new Xdr().u32(0x8000_0000L | body.length).bytes(), body);
    }

    /** A present fattr3 (84 bytes): a 1 GiB regular file. */
    private static Xdr attributes(Xdr x) {
        x.bool(true).u32(1).u32(0644).u32(1).u32(0).u32(0).u64(1L << 30).u64(1L << 20).u64(0).u64(7).u64(42);
        for (int i = 0; i < 6; i++) {
            x.u32(i);
        }
        return x;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static NfsClient client() throws IOException {
        return new NfsClient("127.0.0.1", new RpcConnection("127.0.0.1", listener.getLocalPort(), NFS, 3), HANDLE);
    }

    /** The property: the operation ends with a value or a QuantixException. */
    private static void answersOrFailsCleanly(Op op) throws IOException {
        try (NfsClient client = client()) {
            op.run(client);
        } catch (QuantixException e) {
            // the clean outcome for a broken reply; which code depends on what the mutation hit
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw new AssertionError(op + " failed with " + e, e);
        }
    }

    @Example
    void everyValidReplyIsUnderstood() throws IOException {
        // the mutations start from these, so each must be read as meant
        // some operations make a second call (a LOOKUP after MKDIR, the LINK after its LOOKUP) on the same connection
        keepOpen = true;
        try {
            for (Op op : Op.values()) {
                answer = xid -> record(xid, op.validResults());
                try (NfsClient client = client()) {
                    op.run(client);
                }
            }
            answer = xid -> record(xid, Op.SIZE.validResults());
            try (NfsClient client = client()) {
                assertEquals(1L << 30, client.size(HANDLE, "disk-a.qcow2"));
            }
            answer = xid -> record(xid, Op.LIST.validResults());
            try (NfsClient client = client()) {
                assertEquals(List.of("disk-a.qcow2"), client.list(HANDLE));
            }
        } finally {
            keepOpen = false;
        }
    }

    @Property
    void mutatedReplies(@ForAll Op op, @ForAll("edits") List<ByteFuzz.Edit> edits) throws IOException {
        answer = xid -> ByteFuzz.apply(record(xid, op.validResults()), edits, List.of());
        answersOrFailsCleanly(op);
    }

    @Property
    void randomBytes(@ForAll Op op, @ForAll("bytes") byte[] reply, @ForAll boolean framed) throws IOException {
        // framed: a well-formed record of random bytes (with the call's xid half the time); else raw bytes
        answer = xid -> framed ? record(xid, reply) : reply;
        answersOrFailsCleanly(op);
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> edits() {
        return ByteFuzz.edits(4);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Example
    void aFragmentLengthNearTwoGigabytesIsRefusedBeforeAllocating() throws IOException {
        // a first fragment that is not the last, then one claiming 2^31 - 4 bytes: the size check used to add the
        // two lengths in an int, which overflowed and let the client allocate the 2 GiB the server asked for
        answer = xid -> {
            byte[] first = new Xdr().u32(xid).u32(1).bytes();
            return concat(concat(new Xdr().u32(first.length).bytes(), first), new Xdr().u32(0xffff_fffcL).bytes());
        };
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        QuantixException e = assertThrows(QuantixException.class, () -> {
            try (NfsClient client = client()) {
                client.fsstat();
            }
        });
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("RPC reply too large"), e.getMessage());
        assertTrue(allocated < 64L << 20, "the client allocated " + allocated + " bytes for a reply it refused");
    }

    @Example
    void aServerThatNeverEndsADirectoryListingIsNotAskedForever() throws IOException {
        // every answer: one entry at the same cookie, and "not the end yet"
        byte[] page = new Xdr().u32(0).bool(false).u64(1).bool(true).u64(9).string("loop").u64(5).bool(false).bool(false)
                .bytes();
        int[] left = {1_000};
        answer = xid -> left[0]-- > 0 ? record(xid, page) : null;
        keepOpen = true;
        int callsBefore = CALLS.get();
        try (NfsClient client = client()) {
            QuantixException e = assertThrows(QuantixException.class, () -> client.list(HANDLE));
            assertEquals(ErrorCode.BACKEND_ERROR, e.code());
            assertTrue(e.getMessage().contains("does not finish listing"), e.getMessage());
        } finally {
            keepOpen = false;
        }
        int calls = CALLS.get() - callsBefore;
        assertTrue(calls <= 2, "the client asked " + calls + " times for a listing that never moved on");
    }

    @Example
    void aReplyCutShortAfterItsStatusIsABackendError() throws IOException {
        // found by mutatedReplies: the results were decoded outside the client's guard, so a reply that ended after
        // its status word escaped as a BufferUnderflowException (a 500 for the API client)
        answer = xid -> record(xid, new Xdr().u32(0).bytes());
        try (NfsClient client = client()) {
            QuantixException e = assertThrows(QuantixException.class, () -> client.size(HANDLE, "disk-a.qcow2"));
            assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        }
    }

    @Example
    void aCallLeavesInOneWrite() throws Exception {
        // found while this class ran against the old client: a call went out as three writes (mark, header, arguments),
        // so the second waited for the server's delayed ACK of the first (Nagle): 40 ms a call, every call. A server
        // that reads the call in one read gets it all only if it left in one write.
        try (ServerSocket one = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int[] firstRead = {-1};
            Thread reader = new Thread(() -> {
                try (Socket s = one.accept()) {
                    firstRead[0] = s.getInputStream().read(new byte[65536]);
                } catch (IOException e) {
                    firstRead[0] = -2;
                }
            }, "fuzz-nfs-one-read");
            reader.start();
            byte[] args = new Xdr().opaque(HANDLE).string("disk-a.qcow2").bytes();
            try (RpcConnection rpc = new RpcConnection("127.0.0.1", one.getLocalPort(), NFS, 3)) {
                // the server closes without answering: the call fails, what matters is how it arrived
                assertThrows(IOException.class, () -> rpc.call(3, args));
            }
            reader.join(10_000);
            // record mark, xid to procedure (6 words), AUTH_SYS flavor and length, its body, the AUTH_NONE verifier
            int credentials = new Xdr().u32(0).string("quantix").u32(0).u32(0).u32(0).bytes().length;
            int callBytes = 4 + 24 + 8 + credentials + 8 + args.length;
            assertEquals(callBytes, firstRead[0], "bytes of the call in the server's first read");
        }
    }
}
