package io.quantix.core.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers how to undo each completed step of a multi-step operation, so that a failure part way
 * leaves nothing behind. Undo actions run newest first; one that fails is logged and attached to the
 * original error as suppressed, and the remaining ones still run.
 */
final class UndoLog {
    private static final Logger LOG = LoggerFactory.getLogger(UndoLog.class);

    private final Deque<Step> steps = new ArrayDeque<>();

    private record Step(String description, Runnable undo) {
    }

    /** Records how to undo a step that has just succeeded. */
    void done(String description, Runnable undo) {
        steps.push(new Step(description, undo));
    }

    /** Undoes every recorded step and returns {@code cause}, with any undo failures suppressed in it. */
    <E extends Throwable> E rollback(E cause) {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.undo().run();
                LOG.info("rolled back: {}", step.description());
            } catch (RuntimeException e) {
                LOG.error("could not roll back '{}': {}", step.description(), e.toString());
                cause.addSuppressed(e);
            }
        }
        return cause;
    }
}
