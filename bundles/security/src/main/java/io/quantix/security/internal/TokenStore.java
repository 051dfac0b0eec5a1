package io.quantix.security.internal;

import io.quantix.security.Authenticator.Subscription;
import io.quantix.security.Session;
import io.quantix.security.Token;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issued tokens, kept in memory only as SHA-256 hashes: a heap dump does not hand out live sessions. A node
 * restart therefore logs everyone out, which is acceptable for the one admin account.
 *
 * <p>Streams that outlive a request register a listener per token, told the moment the token is revoked: a
 * revoked token stops working on open streams at once, not at their next periodic check.
 */
final class TokenStore {
    private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
    private static final int TOKEN_BYTES = 32;

    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    /** SHA-256 of the token, hex → its session. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** SHA-256 of the token → what to tell when it is revoked. */
    private final Map<String, Set<Listener>> listeners = new ConcurrentHashMap<>();

    TokenStore(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    Token issue(String username) {
        sessions.values().removeIf(this::expired);
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Session session = new Session(username, clock.instant().plus(ttl));
        sessions.put(digest(value), session);
        return new Token(value, session.expiresAt());
    }

    Optional<Session> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String key = digest(token);
        Session session = sessions.get(key);
        if (session != null && expired(session)) {
            sessions.remove(key, session);
            return Optional.empty();
        }
        return Optional.ofNullable(session);
    }

    /** Removes the token; its session if it was live. */
    Optional<Session> revoke(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String key = digest(token);
        Optional<Session> live = Optional.ofNullable(sessions.remove(key)).filter(s -> !expired(s));
        notifyRevoked(key);
        return live;
    }

    /**
     * Ends every session but the one of {@code keep} (null: all of them); there is one account, so this is
     * every token of its user. Returns how many live sessions ended.
     */
    int revokeAllExcept(String keep) {
        String kept = keep == null ? null : digest(keep);
        int ended = 0;
        for (String key : List.copyOf(sessions.keySet())) {
            if (!key.equals(kept)) {
                Session session = sessions.remove(key);
                if (session != null && !expired(session)) {
                    ended++;
                }
                notifyRevoked(key);
            }
        }
        return ended;
    }

    /** See {@link io.quantix.security.Authenticator#onRevoked}. */
    Subscription onRevoked(String token, Runnable onRevoked) {
        Objects.requireNonNull(onRevoked, "onRevoked");
        String key = digest(Objects.requireNonNull(token, "token"));
        Listener listener = new Listener(onRevoked);
        listeners.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(listener);
        // registered first, checked second: a revocation in between still reaches the listener (once)
        if (verify(token).isEmpty()) {
            remove(key, listener);
            listener.fire();
        }
        return () -> remove(key, listener);
    }

    private void notifyRevoked(String key) {
        Set<Listener> told = listeners.remove(key);
        if (told != null) {
            told.forEach(Listener::fire);
        }
    }

    private void remove(String key, Listener listener) {
        listeners.computeIfPresent(key, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    private boolean expired(Session session) {
        return !clock.instant().isBefore(session.expiresAt());
    }

    /** A listener that runs at most once, whichever of revocation and registration sees the token gone first. */
    private static final class Listener {
        private final Runnable action;
        private final AtomicBoolean fired = new AtomicBoolean();

        Listener(Runnable action) {
            this.action = action;
        }

        void fire() {
            if (fired.compareAndSet(false, true)) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    // one broken stream must not keep the others open, nor fail the revocation
                    LOG.warn("ending a stream of a revoked token failed", e);
                }
            }
        }
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
