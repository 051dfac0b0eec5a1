package io.quantix.security;

import java.time.Instant;
import java.util.Objects;

/** A bearer token and when it stops being accepted. Its value is a secret: {@link #toString()} hides it. */
public record Token(String value, Instant expiresAt) {
    public Token {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "Token[value=(hidden), expiresAt=" + expiresAt + "]";
    }
}
