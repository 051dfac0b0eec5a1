package io.quantix.core.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
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
        undoAll(cause::addSuppressed);
        return cause;
    }

    /**
     * Undoes every recorded step, handing each undo failure (already logged) to {@code failed}; true when every
     * undo succeeded, so nothing of the operation is left.
     */
    boolean undoAll(Consumer<? super RuntimeException> failed) {
        boolean complete = true;
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.undo().run();
                LOG.info("rolled back: {}", step.description());
            } catch (RuntimeException e) {
                LOG.error("could not roll back '{}': {}", step.description(), e.toString());
                failed.accept(e);
                complete = false;
            }
        }
        return complete;
    }
}
