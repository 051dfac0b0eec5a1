package io.quantix.api.agent;

import java.util.Objects;

/**
 * A file written to the guest and read back.
 *
 * @param sha256 lower-case hex SHA-256 of the content, the same on both ends
 */
public record FileTransfer(String path, long bytes, String sha256) {
    public FileTransfer {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
    }
}
