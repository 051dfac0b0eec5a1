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
 * Changes the admin's password from the console and revokes every session. The console is never locked out by
 * failed logins from the network, so this is the way back in while an address floods the APIs.
 */
@Service
@Command(scope = "qx", name = "admin-password", description = "Changes the admin's password (asked, never echoed) and revokes every session")
public class AdminPassword extends QxAction {
    @Reference
    AdminAccount admin;

    @Reference
    Session session;

    @Argument(name = "username", required = true, description = "admin user name")
    String username;

    @Override
    protected Object run() {
        char[] current = SecretInput.read(session, "Current password: ");
        char[] password = SecretInput.read(session, "New password (at least " + AdminAccount.MIN_PASSWORD_LENGTH + " characters): ");
        char[] again = SecretInput.read(session, "New password again: ");
        try {
            if (!Arrays.equals(password, again)) {
                throw QuantixException.invalid("the two new passwords differ; nothing was changed");
            }
            admin.changePassword(username, current, password, AdminAccount.CONSOLE);
        } finally {
            Arrays.fill(current, '\0');
            Arrays.fill(password, '\0');
            Arrays.fill(again, '\0');
        }
        System.out.println("password changed; every session was revoked");
        return null;
    }
}
