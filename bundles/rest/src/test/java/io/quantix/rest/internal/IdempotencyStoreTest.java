package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class IdempotencyStoreTest {
    private final MutableClock clock = new MutableClock();
    private final IdempotencyStore store = new IdempotencyStore(clock, Duration.ofHours(24), 3);
    private final AtomicInteger calls = new AtomicInteger();

    private Supplier<Reply> createVm() {
        return () -> new Reply(201, ("{\"vm\":" + calls.incrementAndGet() + "}").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRetryWithTheSameKeyAndBodyGetsTheFirstResult() {
        Reply first = store.execute("admin", "k1", body("{\"name\":\"a\"}"), createVm());
        Reply retry = store.execute("admin", "k1", body("{\"name\":\"a\"}"), createVm());
        assertEquals(1, calls.get());
        assertEquals(201, retry.status());
        assertArrayEquals(first.json(), retry.json());
        assertEquals("true", retry.headers().get("Idempotent-Replayed"));
        assertNull(first.headers().get("Idempotent-Replayed"));
    }

    @Test
    void theSameKeyWithAnotherBodyIsAConflictAndRunsNothing() {
        store.execute("admin", "k1", body("{\"name\":\"a\"}"), createVm());
        QuantixException e = assertThrows(QuantixException.class,
                () -> store.execute("admin", "k1", body("{\"name\":\"b\"}"), createVm()));
        assertEquals(ErrorCode.CONFLICT, e.code());
        assertEquals(1, calls.get());
    }

    @Test
    void keysAreScopedByUser() {
        store.execute("admin", "k1", body("x"), createVm());
        store.execute("other", "k1", body("y"), createVm());
        assertEquals(2, calls.get());
    }

    @Test
    void aFailedCallIsForgottenSoTheRetryRunsAgain() {
        QuantixException unavailable = QuantixException.backendUnavailable("hypervisor", "libvirt");
        assertSame(unavailable, assertThrows(QuantixException.class,
                () -> store.execute("admin", "k1", body("x"), () -> {
                    throw unavailable;
                })));
        assertEquals(201, store.execute("admin", "k1", body("x"), createVm()).status());
        assertEquals(1, calls.get());
        assertEquals(1, store.size());
    }

    @Test
    void concurrentRetriesRunTheCallOnce() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            replies.add(pool.submit(() -> store.execute("admin", "k1", body("x"), () -> {
                inside.countDown();
                await(release);
                return createVm().get();
            })));
            assertEquals(true, inside.await(5, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                replies.add(pool.submit(() -> store.execute("admin", "k1", body("x"), createVm())));
            }
            release.countDown();
            for (Future<Reply> reply : replies) {
                assertEquals("{\"vm\":1}", new String(reply.get(5, TimeUnit.SECONDS).json(), StandardCharsets.UTF_8));
            }
            assertEquals(1, calls.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keysExpireAndTheOldestIsEvictedWhenFull() {
        store.execute("admin", "k1", body("x"), createVm());
        clock.advance(Duration.ofHours(25));
        store.execute("admin", "k1", body("x"), createVm());
        assertEquals(2, calls.get(), "an expired key runs the call again");

        store.execute("admin", "k2", body("x"), createVm());
        store.execute("admin", "k3", body("x"), createVm());
        store.execute("admin", "k4", body("x"), createVm());
        assertEquals(3, store.size());
    }

    @Test
    void malformedKeysAreRefused() {
        for (String key : List.of("", "with space", "x".repeat(256), "tab\tkey")) {
            QuantixException e = assertThrows(QuantixException.class,
                    () -> store.execute("admin", key, body("x"), createVm()));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        }
        assertEquals(0, calls.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
