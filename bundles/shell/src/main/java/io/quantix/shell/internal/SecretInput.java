package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.security.AdminAccount;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.karaf.shell.api.console.Session;

/** Reads a password on the console without echoing it. */
final class SecretInput {
    private SecretInput() {
    }

    static char[] read(Session session, String prompt) {
        try {
            String line;
            try {
                line = session.readLine(prompt, '*');
            } catch (UnsupportedOperationException noTerminal) {
                // a session without a terminal (a script, a test): the answer is the next line of its input
                line = nextInputLine();
            }
            return line == null ? new char[0] : line.toCharArray();
        } catch (IOException e) {
            throw QuantixException.invalid("no password was entered");
        }
    }

    /** A new password, asked twice; refused (nothing changed) when the two differ. */
    static char[] readNew(Session session, String what) {
        return readTwice(session, what + " (at least " + AdminAccount.MIN_PASSWORD_LENGTH + " characters)", what);
    }

    /** A password asked as {@code prompt}, then again; refused (nothing changed) when the two differ. */
    static char[] readTwice(Session session, String prompt, String what) {
        char[] password = read(session, prompt + ": ");
        char[] again = read(session, what + " again: ");
        try {
            if (!Arrays.equals(password, again)) {
                Arrays.fill(password, '\0');
                throw QuantixException.invalid("the two passwords differ; nothing was changed");
            }
            return password;
        } finally {
            Arrays.fill(again, '\0');
        }
    }

    /** One line of the session's input, read byte by byte so the next prompt's line is left for it. */
    private static String nextInputLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = System.in.read(); b != -1 && b != '\n'; b = System.in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).strip();
    }
}
