package io.quantix.metrics.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.ScrapeToken;
import io.quantix.api.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scrape tokens: 256 random bits each, good for {@code /metrics} only, kept (unlike login tokens) across restarts in
 * {@code <data>/metrics/scrape-tokens.properties} as SHA-256 hashes, so the file hands no token out. A fast hash
 * is enough here: the token is random, not a password a dictionary could find. Lookups are by hash, so the time a
 * check takes says nothing about how much of a token was right.
 */
final class ScrapeTokens {
    private static final int TOKEN_BYTES = 32;
    private static final String PREFIX = "qxm_";
    private static final int MAX_DESCRIPTION = 200;

    private record Entry(String id, String hash, Instant createdAt, String description) {
    }

    private final Path file;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** hash → entry */
    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();

    ScrapeTokens(Path file, Clock clock) throws IOException {
        this.file = file;
        this.clock = clock;
        Properties stored = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            stored.load(in);
        } catch (NoSuchFileException e) {
            return;
        }
        for (String id : stored.stringPropertyNames()) {
            String[] parts = stored.getProperty(id).split(" ", 3);
            if (parts.length < 2) {
                throw new IOException(file + ": the entry of token " + id + " is malformed");
            }
            byHash.put(parts[0], new Entry(id, parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1])),
                    parts.length == 3 ? parts[2] : ""));
        }
    }

    synchronized ScrapeToken create(String description) {
        String text = Validation.required("description", description).strip();
        if (text.length() > MAX_DESCRIPTION || text.chars().anyMatch(Character::isISOControl)) {
            throw QuantixException.invalid("a token description has at most " + MAX_DESCRIPTION
                    + " characters and no control characters");
        }
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Entry entry = new Entry(UUID.randomUUID().toString(), digest(secret), clock.instant(), text);
        byHash.put(entry.hash(), entry);
        try {
            save();
        } catch (IOException | RuntimeException e) {
            byHash.remove(entry.hash());
            throw new QuantixException(ErrorCode.INTERNAL, "cannot store the scrape token: " + e.getMessage(), e);
        }
        return new ScrapeToken(entry.id(), entry.description(), entry.createdAt(), Optional.of(secret));
    }

    List<ScrapeToken> list() {
        return byHash.values().stream().sorted(Comparator.comparing(Entry::createdAt).thenComparing(Entry::id))
                .map(e -> new ScrapeToken(e.id(), e.description(), e.createdAt(), Optional.empty())).toList();
    }

    synchronized void revoke(String id) {
        Entry entry = byHash.values().stream().filter(e -> e.id().equals(id)).findFirst()
                .orElseThrow(() -> QuantixException.notFound("scrape token", id));
        byHash.remove(entry.hash());
        try {
            save();
        } catch (IOException | RuntimeException e) {
            byHash.put(entry.hash(), entry);
            throw new QuantixException(ErrorCode.INTERNAL, "cannot store the revocation: " + e.getMessage(), e);
        }
    }

    boolean valid(String secret) {
        return secret != null && secret.startsWith(PREFIX) && byHash.containsKey(digest(secret));
    }

    private void save() throws IOException {
        Properties stored = new Properties();
        byHash.values().forEach(e -> stored.setProperty(e.id(),
                e.hash() + " " + e.createdAt().toEpochMilli() + " " + e.description()));
        AtomicFile.write(file, out -> stored.store(out, "Quantix scrape tokens: id = SHA-256 of the token, created (ms), description"));
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
