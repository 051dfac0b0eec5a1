package io.quantix.api.agent;

import io.quantix.api.QuantixException;
import java.util.regex.Pattern;

/**
 * What a caller may send into a guest, checked before any agent is asked (the core's edge and the agent client
 * alike): INVALID_ARGUMENT otherwise.
 */
public final class GuestInput {
    /** The largest file pushed to or pulled from a guest. */
    public static final long MAX_FILE_BYTES = 256L * 1024 * 1024;
    public static final int MAX_PATH = 4096;
    public static final int MAX_PASSWORD = 1024;
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");

    private GuestInput() {
    }

    /** A file in the guest: absolute, since the agent's working directory is nobody's business. */
    public static String path(String value) {
        if (value == null || !value.startsWith("/") || value.indexOf('\0') >= 0 || value.length() > MAX_PATH) {
            throw QuantixException.invalid("a guest file path is absolute, at most " + MAX_PATH
                    + " characters, without NUL");
        }
        return value;
    }

    /** A guest user name as useradd takes it. */
    public static String user(String value) {
        if (value == null || !USER.matcher(value).matches()) {
            throw QuantixException.invalid("a guest user name is 1-32 of a-z 0-9 _ . - starting with a letter or _");
        }
        return value;
    }

    /**
     * The password is checked for length and for being one line (the guest hands it to chpasswd, one
     * {@code user:password} per line, so a line break would set another user's password), and never quoted.
     */
    public static char[] password(char[] value) {
        if (value == null || value.length == 0 || value.length > MAX_PASSWORD) {
            throw QuantixException.invalid("a password of 1 to " + MAX_PASSWORD + " characters is required");
        }
        for (char c : value) {
            if (c == '\n' || c == '\r' || c == '\0') {
                throw QuantixException.invalid("a password is one line, without NUL");
            }
        }
        return value;
    }

    public static long fileSize(String what, long bytes) {
        if (bytes < 0 || bytes > MAX_FILE_BYTES) {
            throw QuantixException.invalid(what + " is limited to " + MAX_FILE_BYTES + " bytes");
        }
        return bytes;
    }
}
