package io.quantix.network.ovn.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OVSDB client (RFC 7047 JSON-RPC over a Unix or TCP socket) written for Quantix: the maintained Java
 * OVSDB libraries (OpenDaylight's ovsdb library) come with a Netty/Karaf feature stack of their own and
 * an ODL release cadence, which is far more than the four methods a network driver needs.
 *
 * <p>Every value travels as a JSON value built with Jackson, never spliced into text. One reader thread per
 * client reads the server's messages, answers its {@code echo} probes, completes pending requests and
 * delivers monitor updates; when the connection drops it reconnects with backoff, fails the requests that
 * were in flight, and re-registers every monitor, whose listener then gets the full current state again.
 */
final class OvsdbClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(OvsdbClient.class);
    private static final long MAX_BACKOFF_MS = 5_000;
    /**
     * The largest message read from the server: far above any answer a node's driver asks for (a select of every
     * port of a large deployment is a few MB), and a bound on what a broken or hostile server makes the node hold.
     */
    static final long MAX_MESSAGE_BYTES = 64L << 20;

    /** Gets a monitor's table updates; {@code initial} is the full state (first registration or after a reconnect). */
    @FunctionalInterface
    interface MonitorListener {
        /** Runs on the reader thread: must not block or call the client. */
        void update(boolean initial, JsonNode tableUpdates);
    }

    private record Monitor(String db, ObjectNode requests, MonitorListener listener) {
    }

    private final OvsdbEndpoint endpoint;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private final Thread reader;
    private volatile CompletableFuture<SocketChannel> link = new CompletableFuture<>();
    private volatile SocketChannel current;
    private volatile boolean closed;

    OvsdbClient(OvsdbEndpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.reader = new Thread(this::run, "ovsdb-" + endpoint);
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs the operations as one transaction; BACKEND_ERROR naming the first failed operation if any fails. */
    ArrayNode transact(String db, List<ObjectNode> operations) {
        ArrayNode params = JSON.createArrayNode().add(db);
        operations.forEach(params::add);
        JsonNode result = call("transact", params);
        if (!result.isArray()) {
            throw Ovsdb.malformed("transact result", result);
        }
        transactions.incrementAndGet();
        if (operations.stream().anyMatch(op -> !"select".equals(op.path("op").asText()))) {
            writes.incrementAndGet();
        }
        for (int i = 0; i < result.size(); i++) {
            JsonNode r = result.get(i);
            if (r != null && r.hasNonNull("error")) {
                String op = i < operations.size() ? operations.get(i).path("op").asText() + " on "
                        + operations.get(i).path("table").asText() : "commit";
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "OVSDB " + op + " failed: "
                        + r.get("error").asText() + (r.hasNonNull("details") ? " (" + r.get("details").asText() + ")" : ""));
            }
        }
        if (result.size() < operations.size()) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "OVSDB transaction answered " + result.size()
                    + " results for " + operations.size() + " operations");
        }
        return (ArrayNode) result;
    }

    /** Transactions answered since this client was made, reads included (for the benchmark's figures). */
    long transactionCount() {
        return transactions.get();
    }

    /** Of those, the ones that changed something. */
    long writeCount() {
        return writes.get();
    }

    /**
     * Registers a monitor on {@code db}: {@code requests} maps each table to its monitor request
     * ({@code {"columns": [...]}}). The listener gets the initial state, then every change.
     */
    String monitor(String db, ObjectNode requests, MonitorListener listener) {
        String id = "qx-" + ids.incrementAndGet();
        Monitor m = new Monitor(db, requests, listener);
        monitors.put(id, m);
        try {
            await(send(link(), "monitor", monitorParams(id, m), initial -> listener.update(true, initial)));
        } catch (RuntimeException e) {
            monitors.remove(id);
            throw e;
        }
        return id;
    }

    void cancel(String monitorId) {
        if (monitors.remove(monitorId) != null) {
            call("monitor_cancel", JSON.createArrayNode().add(monitorId));
        }
    }

    JsonNode call(String method, ArrayNode params) {
        return await(send(link(), method, params, null));
    }

    @Override
    public void close() {
        closed = true;
        SocketChannel ch = current;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing {}", endpoint, e);
            }
        }
        reader.interrupt();
        failPending("the OVSDB client is closed");
    }

    private SocketChannel link() {
        try {
            return link.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the OVN database at " + endpoint
                    + " is not reachable (waited " + timeout.toSeconds() + " s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "interrupted while connecting to " + endpoint, e);
        }
    }

    private CompletableFuture<JsonNode> send(SocketChannel ch, String method, ArrayNode params,
            java.util.function.Consumer<JsonNode> onResultInReader) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        // registered before the request leaves, so the reader runs it before it reads the next message
        CompletableFuture<JsonNode> done = onResultInReader == null ? reply : reply.thenApply(r -> {
            if (!r.hasNonNull("error")) {
                onResultInReader.accept(r.get("result"));
            }
            return r;
        });
        pending.put(id, reply);
        ObjectNode msg = JSON.createObjectNode().put("method", method);
        msg.set("params", params);
        msg.put("id", id);
        try {
            write(ch, msg);
        } catch (IOException e) {
            pending.remove(id);
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "lost the connection to " + endpoint + ": " + e.getMessage(), e);
        }
        return done;
    }

    private JsonNode await(CompletableFuture<JsonNode> reply) {
        JsonNode r;
        try {
            r = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, endpoint + " did not answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof QuantixException q ? q
                    : new QuantixException(ErrorCode.BACKEND_ERROR, "OVSDB request failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "interrupted while waiting for " + endpoint, e);
        }
        if (r.hasNonNull("error")) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "OVSDB error from " + endpoint + ": " + r.get("error"));
        }
        if (r.get("result") == null) {
            throw Ovsdb.malformed("reply (no result, no error)", r);
        }
        return r.get("result");
    }

    private void write(SocketChannel ch, JsonNode msg) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(JSON.writeValueAsBytes(msg));
        synchronized (writeLock) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    private ArrayNode monitorParams(String id, Monitor m) {
        return JSON.createArrayNode().add(m.db()).add(id).add(m.requests());
    }

    /** The reader thread: connect, read until the connection drops, reconnect with backoff, until closed. */
    private void run() {
        long backoff = 100;
        while (!closed) {
            SocketChannel ch;
            try {
                ch = endpoint.open();
            } catch (IOException e) {
                LOG.debug("cannot connect to {}: {}", endpoint, e.getMessage());
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                continue;
            }
            backoff = 100;
            current = ch;
            LOG.info("connected to OVSDB at {}", endpoint);
            resubscribe(ch);
            link.complete(ch);
            try {
                read(ch);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("connection to OVSDB at {} lost: {}; reconnecting", endpoint, e.getMessage());
                }
            } finally {
                link = new CompletableFuture<>();
                try {
                    ch.close();
                } catch (IOException e) {
                    LOG.debug("closing {}", endpoint, e);
                }
                failPending("the connection to " + endpoint + " was lost");
            }
        }
    }

    /** Sends every monitor again; its reply, read by this thread once it reads again, resets the listener. */
    private void resubscribe(SocketChannel ch) {
        monitors.forEach((id, m) -> {
            try {
                send(ch, "monitor", monitorParams(id, m), initial -> m.listener().update(true, initial));
            } catch (QuantixException e) {
                LOG.warn("cannot re-register monitor {}: {}", id, e.getMessage());
            }
        });
    }

    private void read(SocketChannel ch) throws IOException {
        ChannelInput in = new ChannelInput(ch);
        try (JsonParser parser = JSON.getFactory().createParser(in)) {
            while (parser.nextToken() != null) {
                JsonNode msg = JSON.readTree(parser);
                in.messageRead();
                try {
                    dispatch(ch, msg);
                } catch (RuntimeException e) {
                    // a message this client cannot use (a monitor listener refusing a malformed row) must not end
                    // the one thread that reads every answer
                    LOG.warn("ignoring an OVSDB message from {} that cannot be used: {}", endpoint, e.toString());
                }
            }
        }
        throw new IOException("closed by the server");
    }

    private void dispatch(SocketChannel ch, JsonNode msg) throws IOException {
        String method = msg.path("method").asText("");
        switch (method) {
            case "echo" -> {
                ObjectNode reply = JSON.createObjectNode();
                reply.set("result", msg.get("params"));
                reply.putNull("error");
                reply.set("id", msg.get("id"));
                write(ch, reply);
            }
            case "update" -> {
                Monitor m = monitors.get(msg.path("params").path(0).asText());
                if (m != null) {
                    m.listener().update(false, msg.path("params").path(1));
                }
            }
            case "" -> {
                CompletableFuture<JsonNode> reply = msg.path("id").canConvertToLong()
                        ? pending.remove(msg.get("id").asLong()) : null;
                if (reply != null) {
                    reply.complete(msg);
                }
            }
            default -> LOG.debug("ignoring OVSDB notification {}", method);
        }
    }

    private void failPending(String why) {
        pending.keySet().forEach(id -> {
            CompletableFuture<JsonNode> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new QuantixException(ErrorCode.BACKEND_ERROR, why));
            }
        });
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Reads the channel directly: the JDK's Channels.newInputStream holds the channel's blocking lock while
     * it reads, which would stall every write for as long as the server stays silent. Counts the bytes of the
     * message being read (give or take the parser's read-ahead) and fails past {@link #MAX_MESSAGE_BYTES}, so a
     * server cannot make the tree of one endless message grow until the node runs out of memory.
     */
    private static final class ChannelInput extends InputStream {
        private final SocketChannel ch;
        private long inMessage;

        ChannelInput(SocketChannel ch) {
            this.ch = ch;
        }

        void messageRead() {
            inMessage = 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = ch.read(ByteBuffer.wrap(b, off, len));
            if (n > 0 && (inMessage += n) > MAX_MESSAGE_BYTES) {
                throw new IOException("an OVSDB message is larger than " + (MAX_MESSAGE_BYTES >> 20) + " MiB");
            }
            return n;
        }
    }
}
