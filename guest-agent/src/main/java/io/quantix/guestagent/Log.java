package io.quantix.guestagent;

import java.time.Instant;

/** Lines on standard error, which systemd's journal keeps; java.util.logging would cost memory for nothing. */
final class Log {
    private Log() {}

    static void info(String message) {
        System.err.println(Instant.now() + " " + message);
    }
}
