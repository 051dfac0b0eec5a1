package io.quantix.grpc.internal;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes a gRPC status. The status description is {@code CODE: message} (the form the
 * shell prints) and the trailer {@value #TRAILER} carries the stable code alone, for clients that match on it.
 */
final class ErrorMapping {
    static final String TRAILER = "quantix-error-code";
    static final Metadata.Key<String> CODE_KEY = Metadata.Key.of(TRAILER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    /** No default branch on purpose: a new code does not compile until it is given a status here. */
    static Status.Code code(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
            // the object's state must change first: the client should not retry as is
            case CONFLICT -> Status.Code.FAILED_PRECONDITION;
            // the backend may come back: retrying later can succeed
            case BACKEND_UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case UNSUPPORTED -> Status.Code.UNIMPLEMENTED;
            case INSUFFICIENT_CAPACITY -> Status.Code.RESOURCE_EXHAUSTED;
            // the failure happened outside Quantix (libvirt, qemu-img, ...): not a defect of this node
            case BACKEND_ERROR -> Status.Code.UNKNOWN;
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            // like HTTP 429: try again later
            case LOCKED_OUT -> Status.Code.RESOURCE_EXHAUSTED;
            case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
            case INTERNAL -> Status.Code.INTERNAL;
        };
    }

    /** The status a call ends with; an unexpected failure is logged with a reference that the client gets instead. */
    static StatusRuntimeException toStatus(Throwable failure, String method) {
        if (failure instanceof StatusRuntimeException s) {
            return s;
        }
        QuantixException q;
        if (failure instanceof QuantixException e) {
            q = e;
            if (q.code() == ErrorCode.INTERNAL) {
                LOG.error("{} failed: {}", method, q.getMessage(), q);
            }
        } else {
            String reference = UUID.randomUUID().toString();
            LOG.error("{} failed (reference {})", method, reference, failure);
            q = new QuantixException(ErrorCode.INTERNAL, "internal error (reference " + reference + "): see the node's log");
        }
        return status(q);
    }

    static StatusRuntimeException status(QuantixException q) {
        Metadata trailers = new Metadata();
        trailers.put(CODE_KEY, q.code().name());
        return Status.fromCode(code(q.code())).withDescription(q.toString()).asRuntimeException(trailers);
    }
}
