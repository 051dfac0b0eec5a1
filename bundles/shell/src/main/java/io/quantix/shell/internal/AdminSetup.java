package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.security.AdminAccount;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * First-boot setup from the serial console: the node has no default credentials, and its APIs refuse
 * everything but health until this (or the setup API) has created the admin.
 */
@Service
@Command(scope = "qx", name = "admin-setup", description = "Creates the node's admin account (once); the password is asked twice and never echoed")
public class AdminSetup extends QxAction {
    @Reference
    AdminAccount admin;

    @Reference
    Session session;

    @Argument(name = "username", required = true, description = "admin user name")
    String username;

    @Override
    protected Object run() {
        if (admin.exists()) {
            throw QuantixException.alreadyExists("admin account", "of this node");
        }
        char[] password = read("Password (at least " + AdminAccount.MIN_PASSWORD_LENGTH + " characters): ");
        char[] again = read("Password again: ");
        try {
            if (!Arrays.equals(password, again)) {
                throw QuantixException.invalid("the two passwords differ; nothing was changed");
            }
            admin.create(username, password);
        } finally {
            Arrays.fill(password, '\0');
            Arrays.fill(again, '\0');
        }
        System.out.println("admin account " + username + " created");
        return null;
    }

    private char[] read(String prompt) {
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

    /** One line of the session's input, read byte by byte so the next prompt's line is left for it. */
    private static String nextInputLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = System.in.read(); b != -1 && b != '\n'; b = System.in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).strip();
    }
}
