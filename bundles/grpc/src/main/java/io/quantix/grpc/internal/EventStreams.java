package io.quantix.grpc.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VolumeRef;
import io.quantix.proto.node.v1.Event;
import io.quantix.proto.node.v1.StreamEventsRequest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code StreamEvents}: every EventAdmin event under {@code io/quantix/*}, to each open stream whose filter it
 * matches. A client too slow to keep up is disconnected rather than buffered without bound, like the REST stream.
 */
final class EventStreams implements EventHandler {
    static final String TOPICS = QuantixEvent.TOPIC_PREFIX + "*";
    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    private static final int QUEUE = 256;
    /** Kind and type of the first message of every stream. */
    static final String STREAM = "STREAM";
    static final String SUBSCRIBED = "SUBSCRIBED";

    private final OpenStreams streams;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

    EventStreams(OpenStreams streams) {
        this.streams = streams;
    }

    void open(StreamEventsRequest request, String token, ServerCallStreamObserver<Event> out) {
        Set<QuantixEvent.Kind> kinds = EnumSet.noneOf(QuantixEvent.Kind.class);
        for (String kind : request.getKindsList()) {
            try {
                kinds.add(QuantixEvent.Kind.valueOf(kind));
            } catch (IllegalArgumentException e) {
                throw QuantixException.invalid("event kind " + Validation.quote(kind) + " is not one of "
                        + List.of(QuantixEvent.Kind.values()));
            }
        }
        Optional<String> subject = request.getSubject().isEmpty() ? Optional.empty()
                : Optional.of(subject(request.getSubject()));
        Subscriber subscriber = new Subscriber(out, kinds.isEmpty() ? EnumSet.allOf(QuantixEvent.Kind.class) : kinds,
                subject, token);
        streams.add(subscriber);
        subscribers.add(subscriber);
        out.setOnCancelHandler(() -> {
            subscriber.cancelled();
            subscribers.remove(subscriber);
            streams.remove(subscriber);
        });
        out.setOnReadyHandler(subscriber::drain);
        // tells the client that no later event will be missed, as REST's ": connected" line does
        subscriber.offer(Event.newBuilder().setKind(STREAM).setType(SUBSCRIBED).setMessage("listening for events")
                .setAt(Protos.timestamp(Instant.now())).build());
    }

    /**
     * A subject an event can carry: the name of a VM, pool, network or backend, or {@code pool/name} for a volume
     * or an ISO image (as {@link VolumeRef#toString()} writes it).
     */
    static String subject(String value) {
        int slash = value.indexOf('/');
        try {
            return slash < 0 ? Validation.name("subject", value)
                    : new VolumeRef(value.substring(0, slash), value.substring(slash + 1)).toString();
        } catch (QuantixException e) {
            throw QuantixException.invalid("subject " + Validation.quote(value) + " is invalid: use the name of a VM,"
                    + " pool, network or backend, or pool/volume for a volume or ISO image");
        }
    }

    @Override
    public void handleEvent(org.osgi.service.event.Event event) {
        QuantixEvent qe;
        try {
            qe = new QuantixEvent(QuantixEvent.Kind.valueOf((String) event.getProperty(QuantixEvent.KIND)),
                    (String) event.getProperty(QuantixEvent.TYPE), (String) event.getProperty(QuantixEvent.SUBJECT),
                    (String) event.getProperty(QuantixEvent.MESSAGE),
                    Instant.ofEpochMilli((Long) event.getProperty(QuantixEvent.TIMESTAMP)));
        } catch (RuntimeException e) {
            LOG.debug("ignoring malformed event on {}", event.getTopic(), e);
            return;
        }
        Event message = null;
        for (Subscriber subscriber : subscribers) {
            if (subscriber.wants(qe)) {
                if (message == null) {
                    message = Protos.event(qe);
                }
                subscriber.offer(message);
            }
        }
    }

    /** One open stream: its filter and the events the transport has not taken yet. */
    private final class Subscriber implements OpenStreams.Stream {
        private final ServerCallStreamObserver<Event> out;
        private final Set<QuantixEvent.Kind> kinds;
        private final Optional<String> subject;
        private final String token;
        private final Queue<Event> queue = new ArrayDeque<>();
        private boolean ended;

        Subscriber(ServerCallStreamObserver<Event> out, Set<QuantixEvent.Kind> kinds, Optional<String> subject,
                String token) {
            this.out = out;
            this.kinds = kinds;
            this.subject = subject;
            this.token = token;
        }

        boolean wants(QuantixEvent event) {
            return kinds.contains(event.kind()) && subject.map(event.subject()::equals).orElse(true);
        }

        synchronized void offer(Event event) {
            if (ended) {
                return;
            }
            if (queue.size() >= QUEUE) {
                LOG.info("event stream client too slow: disconnecting it");
                subscribers.remove(this);
                streams.remove(this);
                end(Status.RESOURCE_EXHAUSTED.withDescription("the client did not keep up with the events: reconnect")
                        .asRuntimeException());
                return;
            }
            queue.add(event);
            drain();
        }

        synchronized void drain() {
            while (!ended && out.isReady() && !queue.isEmpty()) {
                out.onNext(queue.poll());
            }
        }

        synchronized void cancelled() {
            ended = true;
            queue.clear();
        }

        @Override
        public String token() {
            return token;
        }

        @Override
        public synchronized void end(StatusRuntimeException status) {
            if (!ended) {
                ended = true;
                queue.clear();
                subscribers.remove(this);
                out.onError(status);
            }
        }
    }
}
