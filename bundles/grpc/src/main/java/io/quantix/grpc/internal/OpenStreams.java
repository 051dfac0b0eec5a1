package io.quantix.grpc.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.security.Authenticator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server streams that stay open (events, metrics): capped in number, and each ended when its token stops
 * being valid (checked periodically, as the REST event stream does at each keep-alive) or when the server stops.
 */
final class OpenStreams {
    /** An open stream, ended at most once. */
    interface Stream {
        String token();

        void end(StatusRuntimeException status);
    }

    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
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
            open.add(stream);
        }
    }

    void remove(Stream stream) {
        open.remove(stream);
    }

    void checkTokens() {
        for (Stream stream : List.copyOf(open)) {
            if (authenticator.verify(stream.token()).isEmpty()) {
                open.remove(stream);
                stream.end(ErrorMapping.status(new QuantixException(ErrorCode.UNAUTHENTICATED,
                        "the token expired or was revoked: log in again")));
            }
        }
    }

    void close() {
        List<Stream> all;
        synchronized (open) {
            closed = true;
            all = List.copyOf(open);
            open.clear();
        }
        all.forEach(s -> s.end(Status.UNAVAILABLE.withDescription("the node's gRPC server is stopping").asRuntimeException()));
    }
}
