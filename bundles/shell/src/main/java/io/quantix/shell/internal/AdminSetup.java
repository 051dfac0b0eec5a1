package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.security.AdminAccount;
import java.util.Arrays;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * First-boot setup from the serial console: the node has no default credentials, and its APIs refuse
 * everything but health until this (or the setup API: from the node itself, or with {@code qx:setup-code}'s
 * code from elsewhere) has created the admin.
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
        char[] password = SecretInput.read(session, "Password (at least " + AdminAccount.MIN_PASSWORD_LENGTH + " characters): ");
        char[] again = SecretInput.read(session, "Password again: ");
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
}
