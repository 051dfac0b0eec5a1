package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code <data>/audit.log}: one line per security event, e.g.
 * {@code 2026-11-25T18:30:00Z LOGIN_FAILED user=admin source=127.0.0.1}. Never a password or a token.
 *
 * <p>The file is opened for each line, in append mode, so that log rotation (moving the file away) needs no
 * signal; the cost is nothing next to an Argon2id hash. Callers get INTERNAL if the line cannot be written,
 * so a login that cannot be audited issues no token.
 *
 * <p>Attempts refused before any password check (locked out, node busy) cost an attacker nothing, so they are
 * {@linkplain #recordLimited rate-limited}: per event and source, the first of a minute is written and the rest
 * are counted into one summary line, e.g. {@code ... LOGIN_LOCKED_OUT user=- source=10.0.0.9 repeated=41
 * since=2026-11-25T18:31:00Z}, written with the next audit line after the minute ends.
 */
final class AuditLog {
    static final String NAME = "audit.log";
    /** Values come from clients: anything but these characters is replaced, so one event stays one line. */
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._:\\-\\[\\]%]");
    private static final int MAX_VALUE = 64;
    private static final int MAX_DETAIL = 1024;
    private static final Pattern ACTION = Pattern.compile("[A-Z][A-Z_]{0,39}");

    static final Duration BURST = Duration.ofMinutes(1);
    /** Sources with a burst being counted, at most: beyond, their attempts share one burst. */
    static final int MAX_BURSTS = 10_000;

    enum Event {
        ADMIN_CREATED, PASSWORD_CHANGED, LOGIN_OK, LOGIN_FAILED, LOGIN_LOCKED_OUT, LOCKOUT_STARTED, LOGIN_BUSY,
        SETUP_REFUSED, TOKEN_REVOKED, SESSIONS_REVOKED
    }

    private final Path file;
    private final Clock clock;
    /** Event and cleaned source → the burst of the current minute; guarded by this. */
    private final Map<String, Burst> bursts = new LinkedHashMap<>();

    AuditLog(Path dataDir, Clock clock) {
        this.file = dataDir.resolve(NAME);
        this.clock = clock;
    }

    Path path() {
        return file;
    }

    synchronized void record(Event event, String user, String source) {
        Instant now = clock.instant();
        flushBursts(now);
        append(line(now, event, user, source, ""));
    }

    /** A free-form event of another bundle (the console): its action name, and a detail quoted and escaped. */
    synchronized void record(String action, String user, String source, String detail) {
        if (action == null || !ACTION.matcher(action).matches()) {
            throw QuantixException.invalid("audit action " + Validation.quote(String.valueOf(action))
                    + " must be upper-case letters and underscores");
        }
        Instant now = clock.instant();
        flushBursts(now);
        append(at(now) + " " + action + " user=" + clean(user) + (source == null ? "" : " source=" + clean(source))
                + (detail == null ? "" : " detail=" + quoteDetail(detail)) + "\n");
    }

    /** Double quotes around it; quotes, backslashes and control characters escaped, so it stays one line. */
    static String quoteDetail(String detail) {
        String cut = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
        StringBuilder out = new StringBuilder("\"");
        cut.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }

    private static String at(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** As {@link #record}, but at most one line per event and source a minute, and a count of the rest. */
    synchronized void recordLimited(Event event, String user, String source) {
        Instant now = clock.instant();
        flushBursts(now);
        String key = event + " " + clean(source);
        Burst burst = bursts.get(key);
        if (burst == null && bursts.size() >= MAX_BURSTS) {
            key = event + " " + LoginThrottle.OVERFLOW;
            burst = bursts.get(key);
        }
        if (burst != null) {
            burst.repeated++;
            return;
        }
        bursts.put(key, new Burst(now, event, user, source));
        append(line(now, event, user, source, ""));
    }

    /** Writes the summary of every burst whose minute is over, and forgets it. */
    private void flushBursts(Instant now) {
        for (Iterator<Burst> it = bursts.values().iterator(); it.hasNext();) {
            Burst burst = it.next();
            if (now.isBefore(burst.start.plus(BURST))) {
                continue;
            }
            it.remove();
            if (burst.repeated > 0) {
                append(line(now, burst.event, burst.user, burst.source,
                        " repeated=" + burst.repeated + " since=" + burst.start.truncatedTo(ChronoUnit.SECONDS)));
            }
        }
    }

    private static String line(Instant at, Event event, String user, String source, String extra) {
        return at.truncatedTo(ChronoUnit.SECONDS) + " " + event + " user=" + clean(user)
                + (source == null ? "" : " source=" + clean(source)) + extra + "\n";
    }

    /** Attempts of one event and source in one minute: the first was written, {@code repeated} more were not. */
    private static final class Burst {
        final Instant start;
        final Event event;
        final String user;
        final String source;
        int repeated;

        Burst(Instant start, Event event, String user, String source) {
            this.start = start;
            this.event = event;
            this.user = user;
            this.source = source;
        }
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
