package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;

/**
 * The one place an {@link ErrorCode} becomes an HTTP status. The switch has no default branch on purpose:
 * a new code does not compile until it is given a status here.
 */
final class ErrorMapping {
    private ErrorMapping() {
    }

    static int status(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, CONFLICT -> 409;
            case INVALID_ARGUMENT -> 400;
            case BACKEND_UNAVAILABLE -> 503;
            case UNSUPPORTED -> 501;
            case INSUFFICIENT_CAPACITY -> 507;
            case BACKEND_ERROR -> 502;
            case UNAUTHENTICATED -> 401;
            case LOCKED_OUT -> 429;
            case PERMISSION_DENIED -> 403;
            case INTERNAL -> 500;
        };
    }
}
