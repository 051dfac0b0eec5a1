package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <config>/admin.yaml}: the admin's user name and Argon2id hash, mode 0600.
 *
 * <p>Written and parsed by hand rather than with jackson-dataformat-yaml: two scalar fields do not justify
 * shipping snakeyaml into the runtime, and a strict reader that knows exactly these two lines rejects a
 * damaged or hand-mangled file instead of guessing.
 */
final class AdminFile {
    static final String NAME = "admin.yaml";
    private static final Pattern LINE = Pattern.compile("(username|passwordHash): *(?:'([^']*)'|([^'\\s#]+)) *");

    private final Path file;

    AdminFile(Path configDir) {
        this.file = configDir.resolve(NAME);
    }

    Path path() {
        return file;
    }

    boolean exists() {
        return Files.exists(file);
    }

    /** The stored admin, or empty before first-boot setup. INVALID_ARGUMENT if the file is unsafe or damaged. */
    Optional<Admin> load() {
        byte[] content;
        try {
            content = SecureFiles.read(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches() || fields.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3)) != null) {
                throw damaged();
            }
        }
        String username = fields.get("username");
        String hash = fields.get("passwordHash");
        if (username == null || hash == null || !Argon2id.wellFormed(hash)) {
            throw damaged();
        }
        try {
            return Optional.of(new Admin(Validation.name("admin user", username), hash));
        } catch (QuantixException e) {
            throw damaged();
        }
    }

    /** The file's content for the account; first-boot setup writes it as part of its set of files. */
    static byte[] render(Admin admin) {
        return ("# Quantix admin account, written by Quantix. Keep it mode 0600.\n"
                + "username: " + admin.username() + "\n"
                + "passwordHash: '" + admin.passwordHash() + "'\n").getBytes(StandardCharsets.UTF_8);
    }

    void save(Admin admin) {
        try {
            SecureFiles.write(file, render(admin));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private QuantixException damaged() {
        // The message names the file only: its content holds the hash.
        return QuantixException.invalid("admin account file " + file + " is damaged: expected 'username' and 'passwordHash'");
    }

    /** The stored account. The user name passed {@link Validation#name}, so it is safe in a YAML line and a log. */
    record Admin(String username, String passwordHash) {
        @Override
        public String toString() {
            return "Admin[username=" + username + "]";
        }
    }
}
