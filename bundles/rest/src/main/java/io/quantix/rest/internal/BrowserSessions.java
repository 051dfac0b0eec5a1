package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.security.Token;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sessions of the web console: the session token travels in a cookie the page's script cannot read
 * ({@code HttpOnly; Secure; SameSite=Strict}), and every write made with that cookie must carry the session's
 * CSRF token in the {@value #CSRF_HEADER} header. The CSRF token is an HMAC of the session token under a key
 * that lives in memory only: nothing to store, it cannot be derived without the key, and it dies with its
 * session. After a restart of this bundle the key is new; the page asks {@code GET /auth/session} again.
 *
 * <p>Bearer tokens ({@code Authorization} header) are untouched by this: a browser never sends that header by
 * itself, so API clients need no CSRF token.
 */
final class BrowserSessions {
    static final String COOKIE = "qx_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String ATTRIBUTES = "; Path=" + RestServer.BASE + "; HttpOnly; Secure; SameSite=Strict";

    private final SecretKeySpec key;

    BrowserSessions() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** The CSRF token bound to a session token. */
    String csrfToken(String sessionToken) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(sessionToken.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The session token of the request's {@value #COOKIE} cookie, if it has one. */
    static Optional<String> cookieToken(Exchange exchange) {
        return cookieToken(exchange.headers("Cookie"));
    }

    /** The session token among {@code Cookie} header values, if there is one. */
    static Optional<String> cookieToken(List<String> cookieHeaders) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                String trimmed = pair.strip();
                if (trimmed.startsWith(COOKIE + "=") && trimmed.length() > COOKIE.length() + 1) {
                    return Optional.of(trimmed.substring(COOKIE.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    /** Refuses a write made with the cookie unless it carries the session's CSRF token. */
    void checkCsrf(Exchange exchange, String sessionToken) {
        if (SAFE_METHODS.contains(exchange.method())) {
            return;
        }
        String sent = exchange.header(CSRF_HEADER);
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                csrfToken(sessionToken).getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(403, ErrorCode.PERMISSION_DENIED, "a write with the session cookie needs the session's"
                    + " CSRF token in the " + CSRF_HEADER + " header (from POST or GET " + RestServer.BASE
                    + "/auth/session)");
        }
    }

    /** The Set-Cookie value that starts a browser session; it expires with the token. */
    static String cookie(Token token, Instant now) {
        long seconds = Math.max(0, Duration.between(now, token.expiresAt()).toSeconds());
        return COOKIE + "=" + token.value() + ATTRIBUTES + "; Max-Age=" + seconds;
    }

    /** The Set-Cookie value that makes the browser drop the session cookie. */
    static String expiredCookie() {
        return COOKIE + "=" + ATTRIBUTES + "; Max-Age=0";
    }
}
