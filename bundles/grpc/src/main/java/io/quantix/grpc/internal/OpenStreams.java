package io.quantix.grpc.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.security.Authenticator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server streams that stay open (events, metrics): capped in number, and each ended when its token stops
 * being valid or when the server stops. A revoked token ends its streams at once (the {@link Authenticator}
 * tells); an expired one at the next periodic {@link #checkTokens}.
 */
final class OpenStreams {
    /** An open stream, ended at most once. */
    interface Stream {
        String token();

        void end(StatusRuntimeException status);
    }

    /** Each open stream → its revocation listener. */
    private final Map<Stream, Authenticator.Subscription> open = new ConcurrentHashMap<>();
    private final Authenticator authenticator;
    private final int max;
    private boolean closed;

    OpenStreams(Authenticator authenticator, int max) {
        this.authenticator = authenticator;
        this.max = max;
    }

    void add(Stream stream) {
        synchronized (open) {
            if (closed || open.size() >= max) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE,
                        "too many streams are open (" + max + "): try again later");
            }
            // a placeholder first: the listener may run at once, and must find the stream to end it
            open.put(stream, () -> { });
        }
        Authenticator.Subscription revocation = authenticator.onRevoked(stream.token(), () -> endInvalid(stream));
        if (open.replace(stream, revocation) == null) {
            revocation.close();
        }
    }

    void remove(Stream stream) {
        Authenticator.Subscription revocation = open.remove(stream);
        if (revocation != null) {
            revocation.close();
        }
    }

    void checkTokens() {
        for (Stream stream : List.copyOf(open.keySet())) {
            if (authenticator.verify(stream.token()).isEmpty()) {
                endInvalid(stream);
            }
        }
    }

    private void endInvalid(Stream stream) {
        remove(stream);
        stream.end(ErrorMapping.status(new QuantixException(ErrorCode.UNAUTHENTICATED,
                "the token expired or was revoked: log in again")));
    }

    void close() {
        List<Stream> all;
        synchronized (open) {
            closed = true;
            all = List.copyOf(open.keySet());
        }
        all.forEach(this::remove);
        all.forEach(s -> s.end(Status.UNAVAILABLE.withDescription("the node's gRPC server is stopping").asRuntimeException()));
    }
}
