package io.quantix.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.ScrapeToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeTokensTest {
    @TempDir
    Path dir;

    @Test
    void aTokenIsShownOnceStoredHashedKeptAcrossRestartsAndRevocable() throws Exception {
        Path file = dir.resolve("metrics/scrape-tokens.properties");
        ScrapeTokens tokens = new ScrapeTokens(file, Clock.systemUTC());
        ScrapeToken created = tokens.create("prometheus on mon-1");
        String secret = created.secret().orElseThrow();

        assertTrue(tokens.valid(secret));
        assertFalse(tokens.valid(secret + "x"));
        assertFalse(tokens.valid(null));
        assertFalse(Files.readString(file).contains(secret.substring(4)), "the file holds no token");
        assertTrue(tokens.list().get(0).secret().isEmpty(), "listed without its secret");

        ScrapeTokens restarted = new ScrapeTokens(file, Clock.systemUTC());
        assertTrue(restarted.valid(secret));
        assertEquals("prometheus on mon-1", restarted.list().get(0).description());

        restarted.revoke(created.id());
        assertFalse(restarted.valid(secret));
        assertFalse(new ScrapeTokens(file, Clock.systemUTC()).valid(secret), "the revocation is stored");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(QuantixException.class, () -> restarted.revoke(created.id())).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(QuantixException.class, () -> restarted.create("line\nbreak")).code());
    }
}
