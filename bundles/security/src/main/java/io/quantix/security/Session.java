package io.quantix.security;

import java.time.Instant;
import java.util.Objects;

/** Who a valid token belongs to, and until when it is valid. */
public record Session(String username, Instant expiresAt) {
    public Session {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
