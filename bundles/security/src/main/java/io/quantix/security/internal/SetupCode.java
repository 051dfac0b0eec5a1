package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * {@code <config>/setup-code}, mode 0600: the one-time code a client on another machine must send to run
 * first-boot setup. Only someone at the node's console ({@code qx:setup-code}) or with root on it can read it,
 * so reaching port 8443 or 9443 first is not enough to claim a fresh node.
 *
 * <p>20 characters of Crockford's base32 (100 bits), shown in groups of five; compared without the dashes,
 * case-insensitively and in constant time.
 */
final class SetupCode {
    static final String NAME = "setup-code";
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final int LENGTH = 20;

    private final Path file;
    private final SecureRandom random = new SecureRandom();

    SetupCode(Path configDir) {
        this.file = configDir.resolve(NAME);
    }

    Path path() {
        return file;
    }

    /** The current code, created on first use. */
    synchronized String current() {
        try {
            return new String(SecureFiles.read(file), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException missing) {
            String code = generate();
            write(code);
            return code;
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code given} is the current code; false when there is none. */
    synchronized boolean matches(String given) {
        if (given == null) {
            return false;
        }
        byte[] stored;
        try {
            stored = normalized(new String(SecureFiles.read(file), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException missing) {
            return false;
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return stored.length == LENGTH && MessageDigest.isEqual(stored, normalized(given));
    }

    /** Deletes the code: setup is done, it must not work a second time. */
    synchronized void consume() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    private String generate() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < LENGTH; i++) {
            if (i > 0 && i % 5 == 0) {
                code.append('-');
            }
            code.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return code.toString();
    }

    private void write(String code) {
        try {
            SecureFiles.write(file, (code + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] normalized(String code) {
        return code.replace("-", "").strip().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    }
}
