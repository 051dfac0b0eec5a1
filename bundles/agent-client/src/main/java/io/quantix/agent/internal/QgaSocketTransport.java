package io.quantix.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest-agent protocol straight over the host end of a VM's virtio-serial channel (a Unix socket QEMU listens
 * on). The channel has no framing of its own and survives agent restarts, so the stream is resynchronised with
 * guest-sync-delimited (0xFF to flush the agent's parser, a random id, then everything up to the agent's 0xFF and the
 * id's echo is dropped) when the socket is opened, after any timeout, garbage or oversized line, and whenever bytes
 * arrive that no request asked for. Requests carry an id the agent echoes, so a late reply to an abandoned request
 * is never taken for the current one. Every wait ends at the call's deadline and every call reads a bounded number
 * of bytes.
 *
 * <p>Only one client can use such a socket: QEMU accepts one connection at a time. libvirtd itself connects to the
 * {@code org.qemu.guest_agent.0} channel once the guest opens its port (measured with libvirt 9.0 in
 * QgaGuestIT: a second connection is queued and never answered), so on libvirt that channel is reached
 * through {@link LibvirtQgaTransport}; this transport serves channels no daemon holds.
 */
final class QgaSocketTransport implements QgaTransport {
    private static final Logger LOG = LoggerFactory.getLogger(QgaSocketTransport.class);
    private static final AtomicLong IDS = new AtomicLong(ThreadLocalRandom.current().nextInt(1 << 20));

    private final Path socket;
    private final String vm;
    private final QgaJson json;
    private final QgaDecoder decoder;
    /** the most bytes one call reads before it gives up on a guest that floods the channel */
    private final long readBudget;
    /** kept in read mode (flipped) between reads */
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private SocketChannel channel;
    private Selector selector;
    private boolean synced;
    private long budget;

    QgaSocketTransport(Path socket, String vm, int maxLine) {
        this.socket = socket;
        this.vm = vm;
        this.json = new QgaJson(maxLine);
        this.decoder = new QgaDecoder(maxLine);
        this.readBudget = 4L * maxLine;
    }

    @Override
    public synchronized ObjectNode call(String command, ObjectNode arguments, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        budget = readBudget;
        try {
            ready(deadline, command);
            long id = IDS.incrementAndGet();
            write(json.request(command, arguments, id), deadline, command);
            while (true) {
                ObjectNode reply = nextReply(deadline, command, true);
                JsonNode replyId = reply.get("id");
                if (replyId != null && replyId.isIntegralNumber() && replyId.asLong() == id) {
                    return reply;
                }
                // a late reply to a request abandoned at its deadline, or one without our id: not ours
            }
        } catch (QuantixException e) {
            synced = false;
            throw e;
        }
    }

    @Override
    public synchronized void send(String command, ObjectNode arguments, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        budget = readBudget;
        try {
            ready(deadline, command);
            write(json.request(command, arguments, IDS.incrementAndGet()), deadline, command);
        } finally {
            // an error reply may still come: the next call resynchronises past it
            synced = false;
        }
    }

    /** Connected, and in step with the agent. */
    private void ready(long deadline, String command) {
        connect(deadline);
        if (synced && !quiet()) {
            LOG.debug("unrequested bytes from the guest agent of {}: resynchronising", vm);
            synced = false;
        }
        if (!synced) {
            sync(deadline, command);
        }
    }

    private void sync(long deadline, String command) {
        in.position(in.limit());
        decoder.awaitSentinel();
        long id = ThreadLocalRandom.current().nextLong(1, 1L << 53);
        byte[] request = json.request("guest-sync-delimited", json.object().put("id", id), -1);
        byte[] flushed = new byte[request.length + 1];
        flushed[0] = QgaDecoder.SENTINEL;
        System.arraycopy(request, 0, flushed, 1, request.length);
        write(flushed, deadline, command);
        while (true) {
            ObjectNode reply = nextReply(deadline, command, false);
            JsonNode echo = reply.get("return");
            if (echo != null && echo.isIntegralNumber() && echo.asLong() == id) {
                synced = true;
                return;
            }
        }
    }

    /**
     * The next reply object on the channel; the sentinel is skipped (a stale sync answer's).
     *
     * @param strict a malformed or oversized line is an error; else (while resynchronising) it is skipped
     */
    private ObjectNode nextReply(long deadline, String command, boolean strict) {
        while (true) {
            QgaDecoder.Frame frame = decoder.next(in);
            if (frame == null) {
                fill(deadline, command);
            } else if (frame instanceof QgaDecoder.Line line) {
                try {
                    return json.reply(line.bytes());
                } catch (QuantixException e) {
                    if (strict) {
                        throw e;
                    }
                }
            } else if (frame instanceof QgaDecoder.Oversized oversized && strict) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent of " + vm + " sent a line of "
                        + oversized.bytes() + " bytes or more, above the limit: the reply was dropped");
            }
        }
    }

    /** Nothing unrequested has arrived (non-blocking). */
    private boolean quiet() {
        if (in.hasRemaining() || decoder.pending() > 0) {
            return false;
        }
        try {
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                disconnect();
                throw closed();
            }
            return n == 0;
        } catch (IOException e) {
            disconnect();
            throw unavailable("could not be read: " + e.getMessage(), e);
        }
    }

    private void fill(long deadline, String command) {
        if (budget <= 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent of " + vm + " sent more than "
                    + readBudget + " bytes without a reply to " + command);
        }
        try {
            in.clear();
            while (true) {
                int n = channel.read(in);
                if (n < 0) {
                    disconnect();
                    throw closed();
                }
                if (n > 0) {
                    budget -= n;
                    in.flip();
                    return;
                }
                await(SelectionKey.OP_READ, deadline, command);
            }
        } catch (IOException e) {
            disconnect();
            throw unavailable("could not be read: " + e.getMessage(), e);
        }
    }

    private void write(byte[] bytes, long deadline, String command) {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(SelectionKey.OP_WRITE, deadline, command);
                }
            }
        } catch (IOException e) {
            disconnect();
            throw unavailable("could not be written: " + e.getMessage(), e);
        }
    }

    private void await(int op, long deadline, String command) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw unavailable("did not answer " + command + " in time", null);
        }
        SelectionKey key = channel.keyFor(selector);
        key.interestOps(op);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }

    private void connect(long deadline) {
        if (channel != null) {
            return;
        }
        try {
            selector = Selector.open();
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.configureBlocking(false);
            channel.register(selector, 0);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                while (!channel.finishConnect()) {
                    await(SelectionKey.OP_CONNECT, deadline, "connect");
                }
            }
            synced = false;
        } catch (IOException e) {
            disconnect();
            throw unavailable("has no open channel (is the VM running?): " + e.getMessage(), e);
        } catch (QuantixException e) {
            disconnect();
            throw e;
        }
    }

    private void disconnect() {
        synced = false;
        in.clear().flip();
        try {
            if (channel != null) {
                channel.close();
            }
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            LOG.debug("closing the agent channel of {}: {}", vm, e.toString());
        }
        channel = null;
        selector = null;
    }

    private QuantixException closed() {
        return unavailable("closed the channel", null);
    }

    private QuantixException unavailable(String what, Throwable cause) {
        return new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the guest agent of " + vm + " " + what, cause);
    }

    @Override
    public synchronized void close() {
        disconnect();
    }
}
