package io.quantix.security.internal;

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issued tokens, kept in memory only as SHA-256 hashes: a heap dump does not hand out live sessions. A node
 * restart therefore logs everyone out, which is acceptable for the one admin account.
 */
final class TokenStore {
    private static final int TOKEN_BYTES = 32;

    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    /** SHA-256 of the token, hex → its session. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

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
        return token == null ? Optional.empty()
                : Optional.ofNullable(sessions.remove(digest(token))).filter(s -> !expired(s));
    }

    /** Ends every session; there is one account, so this is every token of its user. */
    void revokeAll() {
        sessions.clear();
    }

    private boolean expired(Session session) {
        return !clock.instant().isBefore(session.expiresAt());
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
