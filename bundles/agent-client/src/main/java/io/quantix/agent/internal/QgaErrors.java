package io.quantix.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;

/** Error replies of the agent as Quantix errors; what the guest wrote is shortened and made printable first. */
final class QgaErrors {
    private static final int MAX_TEXT = 240;

    private QgaErrors() {
    }

    /**
     * @param error the reply's "error" object
     * @param secret the request carried a secret: the guest's text is left out, since a hostile guest could echo it
     */
    static QuantixException of(String vm, String command, JsonNode error, boolean secret) {
        String kind = error.path("class").asText("");
        String desc = secret ? "(the guest's description is withheld: the request carried a secret)"
                : printable(error.path("desc").asText(""));
        return switch (kind) {
            case "CommandNotFound", "CommandDisabled" -> new QuantixException(ErrorCode.UNSUPPORTED,
                    "the guest agent of " + vm + " does not offer " + command);
            default -> new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent of " + vm + " refused " + command
                    + ": " + desc);
        };
    }

    /** One line of at most {@value #MAX_TEXT} printable characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_TEXT));
        text.codePoints().limit(MAX_TEXT).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return text.codePointCount(0, text.length()) > MAX_TEXT ? out + "…" : out.toString();
    }
}
