package io.quantix.console.internal;

import io.quantix.api.QuantixException;
import io.quantix.security.Authenticator;
import io.quantix.security.Token;
import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;

/**
 * The node's admin, and only the admin, for Karaf's SSH server: the password is checked by the security bundle
 * (Argon2id, the lockout after 5 failures, the audit log), never by Karaf's users.properties, so there is no
 * default credential. Karaf creates this module through its ProxyLoginModule with the options of
 * {@link QuantixRealm}, which carry the {@link Authenticator}.
 */
public final class AdminLoginModule implements LoginModule {
    static final String AUTHENTICATOR = "io.quantix.console.authenticator";
    /** The audit log's and the lockout's name for logins over SSH. */
    static final String SOURCE = "ssh";
    /** Karaf's roles the admin holds: its command ACLs, and {@code ssh}, which Karaf's SSH server requires. */
    static final List<String> ROLES = List.of("admin", "manager", "viewer", "systembundles", "ssh");

    private Subject subject;
    private CallbackHandler callbacks;
    private Authenticator authenticator;
    private String user;
    private final List<Principal> granted = new ArrayList<>();

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
            Map<String, ?> options) {
        this.subject = subject;
        this.callbacks = callbackHandler;
        this.authenticator = (Authenticator) options.get(AUTHENTICATOR);
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user: ");
        PasswordCallback password = new PasswordCallback("password: ", false);
        try {
            callbacks.handle(new Callback[] {name, password});
        } catch (UnsupportedCallbackException e) {
            // a public key: the admin logs in with the password only
            throw new FailedLoginException("only the admin's password is accepted");
        } catch (IOException e) {
            throw new LoginException("cannot read the credentials: " + e.getMessage());
        }
        char[] secret = password.getPassword();
        if (name.getName() == null || secret == null) {
            throw new FailedLoginException("a user name and a password are needed");
        }
        try {
            Token token = authenticator.login(name.getName(), secret, SOURCE);
            // SSH needs no API token: end that session at once
            authenticator.revoke(token.value());
        } catch (QuantixException e) {
            throw new FailedLoginException(e.getMessage());
        } finally {
            Arrays.fill(secret, '\0');
            password.clearPassword();
        }
        user = name.getName();
        return true;
    }

    @Override
    public boolean commit() {
        if (user == null) {
            return false;
        }
        granted.add(new UserPrincipal(user));
        ROLES.forEach(role -> granted.add(new RolePrincipal(role)));
        subject.getPrincipals().addAll(granted);
        return true;
    }

    @Override
    public boolean abort() {
        user = null;
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(granted);
        granted.clear();
        user = null;
        return true;
    }
}
