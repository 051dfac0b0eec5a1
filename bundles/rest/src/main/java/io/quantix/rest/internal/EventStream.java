package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixEvent;
import io.quantix.security.Authenticator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /events}: Server-Sent Events, one {@code event: <topic>} / {@code data: <QuantixEvent JSON>} per
 * EventAdmin event under {@code io/quantix/*}. SSE rather than WebSocket because every HTTP client can read it
 * (curl, a browser's EventSource) with no extra protocol.
 *
 * <p>Each stream holds one server thread, so their number is capped. A client too slow to keep up is
 * disconnected rather than buffered without bound. One whose token is revoked (logout, revoke-all, password
 * change) is disconnected at once, told by the {@link Authenticator}; one whose token expires, at the next
 * keep-alive.
 */
final class EventStream implements EventHandler {
    static final String TOPICS = QuantixEvent.TOPIC_PREFIX + "*";
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final int QUEUE = 256;
    private static final String CLOSE = "";

    private final Authenticator authenticator;
    private final int maxStreams;
    private final Duration keepAlive;
    private final Set<BlockingQueue<String>> subscribers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    EventStream(Authenticator authenticator, int maxStreams, Duration keepAlive) {
        this.authenticator = authenticator;
        this.maxStreams = maxStreams;
        this.keepAlive = keepAlive;
    }

    List<Route> routes() {
        return List.of(Route.secured("GET", "/events", this::stream));
    }

    @Override
    public void handleEvent(Event event) {
        String frame;
        try {
            QuantixEvent qe = new QuantixEvent(
                    QuantixEvent.Kind.valueOf((String) event.getProperty(QuantixEvent.KIND)),
                    (String) event.getProperty(QuantixEvent.TYPE), (String) event.getProperty(QuantixEvent.SUBJECT),
                    (String) event.getProperty(QuantixEvent.MESSAGE),
                    Instant.ofEpochMilli((Long) event.getProperty(QuantixEvent.TIMESTAMP)));
            frame = "event: " + event.getTopic() + "\ndata: " + new String(Json.write(qe), StandardCharsets.UTF_8) + "\n\n";
        } catch (RuntimeException e) {
            LOG.debug("ignoring malformed event on {}", event.getTopic(), e);
            return;
        }
        for (BlockingQueue<String> queue : subscribers) {
            if (!queue.offer(frame)) {
                LOG.info("event stream client too slow: disconnecting it");
                end(queue);
            }
        }
    }

    /** Makes the stream's thread stop at its next frame: nothing queued before the end is sent. */
    private static void end(BlockingQueue<String> queue) {
        queue.clear();
        queue.offer(CLOSE);
    }

    /** Ends every stream, so that the server can stop without waiting for clients. */
    void close() {
        closed = true;
        subscribers.forEach(EventStream::end);
    }

    private Reply stream(Call call) throws IOException {
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        synchronized (subscribers) {
            if (closed || subscribers.size() >= maxStreams) {
                throw new HttpError(503, ErrorCode.BACKEND_UNAVAILABLE,
                        "too many event streams are open (" + maxStreams + "): try again later");
            }
            subscribers.add(queue);
        }
        String token = call.token().orElseThrow();
        Authenticator.Subscription revocation = authenticator.onRevoked(token, () -> end(queue));
        var exchange = call.exchange();
        exchange.setHeader("Content-Type", "text/event-stream; charset=utf-8");
        exchange.setHeader("Cache-Control", "no-store");
        try {
            OutputStream out = exchange.stream(200);
            send(out, ": connected\n\n");
            while (!closed) {
                String frame = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                if (CLOSE.equals(frame)) {
                    break;
                }
                if (frame == null) {
                    if (authenticator.verify(token).isEmpty()) {
                        break;
                    }
                    frame = ": keep-alive\n\n";
                }
                send(out, frame);
            }
        } catch (IOException e) {
            LOG.debug("event stream client went away: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            revocation.close();
            subscribers.remove(queue);
        }
        return Reply.ALREADY_SENT;
    }

    private static void send(OutputStream out, String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
