package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Remembers the answer to each {@code Idempotency-Key}, so that a client retrying a POST after a lost answer
 * gets the first result instead of a second VM.
 *
 * <ul>
 * <li>Same key, same body: the first reply (a retry arriving while the first call runs waits for it).
 * <li>Same key, another body: CONFLICT, nothing runs.
 * <li>A call that failed is forgotten: VM creation is all-or-nothing, so running it again is safe and lets a
 * retry succeed once the cause (a missing backend, a full pool) is gone.
 * </ul>
 * Keys live in memory for {@code ttl}, scoped by user; a node restart forgets them.
 */
final class IdempotencyStore {
    private static final int MAX_KEY_LENGTH = 255;

    private record Entry(byte[] bodyHash, CompletableFuture<Reply> reply, Instant created) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final int maxEntries;
    /** Insertion order = age order, so expiry and eviction look at the head only. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    IdempotencyStore(Clock clock, Duration ttl, int maxEntries) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
    }

    Reply execute(String scope, String key, byte[] body, Supplier<Reply> call) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw QuantixException.invalid("Idempotency-Key must be 1-" + MAX_KEY_LENGTH + " visible ASCII characters");
        }
        String id = scope + '\n' + key;
        byte[] hash = sha256(body);
        Entry mine = new Entry(hash, new CompletableFuture<>(), clock.instant());
        Entry earlier;
        synchronized (this) {
            expire();
            earlier = entries.get(id);
            if (earlier == null) {
                entries.put(id, mine);
            }
        }
        if (earlier != null) {
            if (!MessageDigest.isEqual(earlier.bodyHash(), hash)) {
                throw new QuantixException(ErrorCode.CONFLICT,
                        "this Idempotency-Key was already used with a different request body");
            }
            return replay(earlier.reply());
        }
        try {
            Reply reply = call.get();
            mine.reply().complete(reply);
            return reply;
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                entries.remove(id, mine);
            }
            mine.reply().completeExceptionally(e);
            throw e;
        }
    }

    synchronized int size() {
        return entries.size();
    }

    private static Reply replay(CompletableFuture<Reply> first) {
        try {
            return first.join().withHeader("Idempotent-Replayed", "true");
        } catch (CompletionException e) {
            // the first call failed (and was forgotten): the waiting retry reports the same failure
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void expire() {
        Instant oldest = clock.instant().minus(ttl);
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().created().isAfter(oldest) && entries.size() < maxEntries) {
                break;
            }
            it.remove();
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
