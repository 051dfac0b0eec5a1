package io.quantix.security.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Consecutive failed logins per source address, and the lockout they lead to. Keyed by address rather than
 * user name, so that a stranger who guesses wrong locks out only themselves, never the admin at their own
 * desk; the user name plays no part, so the answers do not reveal which name exists.
 *
 * <p>An IPv6 client is counted by its /64 network: one host usually holds a whole /64 and could otherwise
 * start a fresh streak from each of its addresses. A streak is forgotten the lockout window after its last
 * failure; at most {@link #MAX_SOURCES} sources are tracked, further ones share a single streak, so a flood
 * from many addresses cannot grow the table without bound (and locks out only those new addresses together).
 */
final class LoginThrottle {
    static final int MAX_FAILURES = io.quantix.security.Authenticator.MAX_FAILURES;
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    static final int MAX_SOURCES = 10_000;
    static final String OVERFLOW = "(other sources)";
    /** Only characters of an IPv6 literal, with a colon: InetAddress parses it without a DNS lookup. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final Clock clock;
    /** How long a lockout lasts, and how long failures are remembered. */
    private final Duration window;
    private final Map<String, Streak> streaks = new HashMap<>();

    LoginThrottle(Clock clock) {
        this(clock, DEFAULT_WINDOW);
    }

    LoginThrottle(Clock clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    /** When the source's lockout ends, if it is locked out now. */
    synchronized Optional<Instant> lockedUntil(String source) {
        Instant now = clock.instant();
        return Optional.ofNullable(streaks.get(tracked(key(source))))
                .map(Streak::lockedUntil)
                .filter(until -> until != null && now.isBefore(until));
    }

    /** Records a failure; true if it started a lockout. */
    synchronized boolean failed(String source) {
        Instant now = clock.instant();
        streaks.values().removeIf(s -> !now.isBefore(s.last().plus(window))
                && (s.lockedUntil() == null || !now.isBefore(s.lockedUntil())));
        String key = tracked(key(source));
        Streak streak = streaks.merge(key, new Streak(1, now, null),
                (old, fresh) -> new Streak(old.failures() + 1, now, null));
        if (streak.failures() >= MAX_FAILURES) {
            streaks.put(key, new Streak(0, now, now.plus(window)));
            return true;
        }
        return false;
    }

    synchronized void succeeded(String source) {
        streaks.remove(tracked(key(source)));
    }

    /** The key a new source would take: its own while there is room, the shared one after. */
    private String tracked(String key) {
        return streaks.containsKey(key) || streaks.size() < MAX_SOURCES ? key : OVERFLOW;
    }

    /** The address itself for IPv4 (and anything that is not an address); the /64 network for IPv6. */
    static String key(String source) {
        if (source == null) {
            return "";
        }
        if (IPV6.matcher(source).matches()) {
            try {
                byte[] address = InetAddress.getByName(source).getAddress();
                if (address.length == 16) {
                    Arrays.fill(address, 8, 16, (byte) 0);
                    return InetAddress.getByAddress(address).getHostAddress() + "/64";
                }
            } catch (UnknownHostException notAnAddress) {
                return source;
            }
        }
        return source;
    }

    /** {@code lockedUntil} is set once a streak reaches the limit; the count restarts after the lockout. */
    private record Streak(int failures, Instant last, Instant lockedUntil) {
    }
}
