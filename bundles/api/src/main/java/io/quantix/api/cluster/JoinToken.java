package io.quantix.api.cluster;

import io.quantix.api.Validation;
import java.time.Instant;

/**
 * A single-use credential that lets one node join the cluster until {@link #expiresAt()}.
 *
 * @param token the secret to hand to the joining node ({@code QX1.<CA fingerprint>.<secret>}); never logged
 * @param caFingerprint SHA-256 of the cluster CA's certificate, hex with colons: the joining node checks it
 */
public record JoinToken(String token, Instant expiresAt, String caFingerprint) {
    public JoinToken {
        Validation.required("token", token);
        Validation.required("expiry", expiresAt);
        Validation.required("CA fingerprint", caFingerprint);
    }

    /** Without the secret, so that a token in a log or a stack trace gives nothing away. */
    @Override
    public String toString() {
        return "JoinToken[expiresAt=" + expiresAt + ", caFingerprint=" + caFingerprint + "]";
    }
}
