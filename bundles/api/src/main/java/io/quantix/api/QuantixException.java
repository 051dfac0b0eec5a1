package io.quantix.api;

import java.util.Objects;

/**
 * The one exception type of the Quantix API. Its {@link #code()} is stable; its message is one line
 * meant for the person who made the request and never carries secrets.
 */
public class QuantixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public QuantixException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public QuantixException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** {@code CODE: message}, the form the shell prints. */
    @Override
    public String toString() {
        return code + ": " + getMessage();
    }

    public static QuantixException notFound(String kind, String name) {
        return new QuantixException(ErrorCode.NOT_FOUND, kind + " '" + name + "' does not exist");
    }

    public static QuantixException alreadyExists(String kind, String name) {
        return new QuantixException(ErrorCode.ALREADY_EXISTS, kind + " '" + name + "' already exists");
    }

    public static QuantixException invalid(String message) {
        return new QuantixException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static QuantixException backendUnavailable(String kind, String backend) {
        return new QuantixException(ErrorCode.BACKEND_UNAVAILABLE,
                kind + " backend '" + backend + "' is not installed or not running");
    }
}
