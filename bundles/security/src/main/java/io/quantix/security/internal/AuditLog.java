package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code <data>/audit.log}: one line per security event, e.g.
 * {@code 2026-11-25T18:30:00Z LOGIN_FAILED user=admin source=127.0.0.1}. Never a password or a token.
 *
 * <p>The file is opened for each line, in append mode, so that log rotation (moving the file away) needs no
 * signal; the cost is nothing next to an Argon2id hash. Callers get INTERNAL if the line cannot be written,
 * so a login that cannot be audited issues no token.
 */
final class AuditLog {
    static final String NAME = "audit.log";
    /** Values come from clients: anything but these characters is replaced, so one event stays one line. */
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._:\\-\\[\\]%]");
    private static final int MAX_VALUE = 64;

    enum Event { ADMIN_CREATED, PASSWORD_CHANGED, LOGIN_OK, LOGIN_FAILED, LOGIN_LOCKED_OUT, LOCKOUT_STARTED, TOKEN_REVOKED }

    private final Path file;
    private final Clock clock;

    AuditLog(Path dataDir, Clock clock) {
        this.file = dataDir.resolve(NAME);
        this.clock = clock;
    }

    Path path() {
        return file;
    }

    void record(Event event, String user, String source) {
        String line = clock.instant().truncatedTo(ChronoUnit.SECONDS) + " " + event + " user=" + clean(user)
                + (source == null ? "" : " source=" + clean(source)) + "\n";
        append(line);
    }

    private synchronized void append(String line) {
        try {
            // the data directory is shared: QEMU reaches pools and sockets below it, so it keeps the usual mode;
            // the log itself is 0600
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(SecureFiles.OWNER_ONLY))) {
                ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    private static String clean(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        String cut = value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
        return UNSAFE.matcher(cut).replaceAll("?");
    }
}
