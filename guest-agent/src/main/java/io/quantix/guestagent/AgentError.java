package io.quantix.guestagent;

/** A request the agent refuses or could not carry out; becomes the Error message answering it. */
final class AgentError extends RuntimeException {
    /** ErrorCode names of the host's error model. */
    static final String INVALID = "INVALID_ARGUMENT";
    static final String NOT_FOUND = "NOT_FOUND";
    static final String BACKEND = "BACKEND_ERROR";
    static final String BUSY = "BACKEND_UNAVAILABLE";
    static final String CONFLICT = "CONFLICT";

    private final String code;

    AgentError(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }
}
