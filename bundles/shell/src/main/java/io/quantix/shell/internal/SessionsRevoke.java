package io.quantix.shell.internal;

import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Revokes every API session (a token was leaked, a laptop lost): their open event streams end at once. */
@Service
@Command(scope = "qx", name = "sessions-revoke", description = "Revokes every REST and gRPC session of the admin")
public class SessionsRevoke extends QxAction {
    @Reference
    Authenticator authenticator;

    @Override
    protected Object run() {
        System.out.println(authenticator.revokeAll(AdminAccount.CONSOLE) + " session(s) revoked");
        return null;
    }
}
