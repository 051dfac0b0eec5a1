package io.quantix.api;

import java.time.Instant;
import java.util.Optional;

/**
 * A token that lets a Prometheus server read {@code /metrics} and nothing else. The node keeps only its hash.
 *
 * @param id names the token for listing and revoking; not secret
 * @param secret the token itself: present only in the answer that created it
 */
public record ScrapeToken(String id, String description, Instant createdAt, Optional<String> secret) {
    public ScrapeToken {
        Validation.required("token id", id);
        Validation.required("description", description);
        Validation.required("creation time", createdAt);
        Validation.required("secret", secret);
    }
}
