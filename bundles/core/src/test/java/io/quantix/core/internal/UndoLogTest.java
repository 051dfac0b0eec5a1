package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UndoLogTest {

    @Test
    void undoesNewestFirstAndKeepsGoingPastAFailedUndo() {
        List<String> undone = new ArrayList<>();
        UndoLog log = new UndoLog();
        log.done("volume", () -> undone.add("volume"));
        log.done("port", () -> {
            throw new IllegalStateException("port driver gone");
        });
        log.done("definition", () -> undone.add("definition"));

        RuntimeException cause = new RuntimeException("start failed");
        assertSame(cause, log.rollback(cause));
        assertEquals(List.of("definition", "volume"), undone);
        assertEquals(1, cause.getSuppressed().length);
        assertEquals("port driver gone", cause.getSuppressed()[0].getMessage());
    }

    @Test
    void rollbackRunsEachUndoOnce() {
        List<String> undone = new ArrayList<>();
        UndoLog log = new UndoLog();
        log.done("volume", () -> undone.add("volume"));
        log.rollback(new RuntimeException());
        log.rollback(new RuntimeException());
        assertEquals(List.of("volume"), undone);
    }
}
