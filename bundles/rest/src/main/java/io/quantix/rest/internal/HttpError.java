package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;

/**
 * A failure of the HTTP exchange itself rather than of a node operation (no such route, wrong method, body
 * too large): its status is not the code's usual one, but clients still get a stable {@link ErrorCode}.
 */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final ErrorCode code;

    HttpError(int status, ErrorCode code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    ErrorCode code() {
        return code;
    }

    static HttpError noRoute(String method, String path) {
        return new HttpError(404, ErrorCode.NOT_FOUND, "no endpoint " + method + " " + path);
    }
}
