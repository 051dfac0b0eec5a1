package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import org.apache.karaf.shell.api.action.Action;

/**
 * Base of every qx: command: a Quantix error is shown as its code and one line, never as a stack trace.
 */
abstract class QxAction implements Action {

    @Override
    public final Object execute() throws Exception {
        try {
            return run();
        } catch (QuantixException e) {
            throw new CommandFailed(e);
        }
    }

    protected abstract Object run();

    /** What the console prints: "Error executing command: CODE: message". No cause, hence no stack. */
    static final class CommandFailed extends Exception {
        private static final long serialVersionUID = 1L;

        CommandFailed(QuantixException e) {
            super(e.code() + ": " + e.getMessage(), null, false, false);
        }
    }
}
