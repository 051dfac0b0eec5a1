package io.quantix.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Consecutive failed logins per user name, and the lockout they lead to. Unknown user names are counted
 * exactly like the admin's, so the answers do not reveal which name exists.
 *
 * <p>A failure streak is forgotten {@link #WINDOW} after its last failure. That bounds the memory a flood of
 * invented user names can take, and costs an attacker nothing they could not get by waiting out a lockout.
 * Not thread-safe: the caller serialises logins.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(15);

    private final Clock clock;
    private final Map<String, Streak> streaks = new HashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** When the user name's lockout ends, if it is locked out now. */
    Optional<Instant> lockedUntil(String username) {
        Instant now = clock.instant();
        return Optional.ofNullable(streaks.get(username))
                .map(Streak::lockedUntil)
                .filter(until -> until != null && now.isBefore(until));
    }

    /** Records a failure; true if it started a lockout. */
    boolean failed(String username) {
        Instant now = clock.instant();
        streaks.values().removeIf(s -> !now.isBefore(s.last().plus(WINDOW)));
        Streak streak = streaks.merge(username, new Streak(1, now, null),
                (old, fresh) -> new Streak(old.failures() + 1, now, null));
        if (streak.failures() >= MAX_FAILURES) {
            streaks.put(username, new Streak(0, now, now.plus(WINDOW)));
            return true;
        }
        return false;
    }

    void succeeded(String username) {
        streaks.remove(username);
    }

    /** {@code lockedUntil} is set once a streak reaches the limit; the count restarts after the lockout. */
    private record Streak(int failures, Instant last, Instant lockedUntil) {
    }
}
