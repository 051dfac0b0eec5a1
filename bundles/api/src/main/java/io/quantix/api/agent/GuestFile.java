package io.quantix.api.agent;

import java.util.Objects;

/**
 * A file read from the guest.
 *
 * @param content what was read (the array is the caller's)
 * @param sha256 lower-case hex SHA-256 of the content
 */
public record GuestFile(String path, byte[] content, String sha256) {
    public GuestFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(sha256, "sha256");
    }
}
