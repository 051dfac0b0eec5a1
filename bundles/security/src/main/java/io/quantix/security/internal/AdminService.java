package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.spi.NodeDirectories;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Session;
import io.quantix.security.Token;
import io.quantix.security.internal.AdminFile.Admin;
import io.quantix.security.internal.AuditLog.Event;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin account ({@code <config>/admin.yaml}), its logins with lockout, the tokens they issue, and the audit
 * log of all of it. One component for both services because a password change must revoke tokens and count
 * toward the same lockout as logins.
 */
// Immediate, so a node without an admin says so in its log at startup rather than at the first request.
@Component(service = {AdminAccount.class, Authenticator.class}, configurationPid = AdminService.PID, immediate = true)
@Designate(ocd = AdminService.Config.class)
public class AdminService implements AdminAccount, Authenticator {
    static final String PID = "io.quantix.security";
    static final int MAX_PASSWORD_LENGTH = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

    @ObjectClassDefinition(id = PID, name = "Quantix security")
    @interface Config {
        @AttributeDefinition(description = "Minutes a login token stays valid (default 12 hours).", min = "1", max = "43200")
        int tokenTtlMinutes() default 720;
    }

    private final AdminFile adminFile;
    private final AuditLog audit;
    private final LoginThrottle throttle;
    private final TokenStore tokens;
    private final Argon2id argon2;
    /** Checked instead of the admin's hash for unknown user names, at the same cost. */
    private final String unmatchable;
    /**
     * Every password check runs under this lock, one at a time and in arrival order. Each Argon2id check takes
     * 64 MiB, so a burst of parallel logins cannot exhaust the heap, and the lockout counts exactly: no attempt
     * slips through while others are still being checked.
     */
    private final ReentrantLock checks = new ReentrantLock(true);

    @Activate
    public AdminService(Config config) {
        this(NodeDirectories.config(), NodeDirectories.data(), Clock.systemUTC(),
                Duration.ofMinutes(Validation.range("tokenTtlMinutes", config.tokenTtlMinutes(), 1, 43200)),
                Argon2id.DEFAULT);
        if (!exists()) {
            LOG.warn("No admin account yet ({} is missing): the APIs refuse everything but health until first-boot"
                    + " setup creates it", adminFile.path());
        }
    }

    AdminService(Path configDir, Path dataDir, Clock clock, Duration tokenTtl, Argon2id.Params hashParams) {
        this.adminFile = new AdminFile(configDir);
        this.audit = new AuditLog(dataDir, clock);
        this.throttle = new LoginThrottle(clock);
        this.tokens = new TokenStore(clock, tokenTtl);
        this.argon2 = new Argon2id(hashParams);
        this.unmatchable = argon2.unmatchable();
    }

    @Override
    public boolean exists() {
        return adminFile.exists();
    }

    @Override
    public void create(String username, char[] password) {
        Validation.name("admin user", username);
        requireStrong(password);
        checks.lock();
        try {
            if (adminFile.exists()) {
                throw QuantixException.alreadyExists("admin account", username);
            }
            adminFile.save(new Admin(username, argon2.hash(password)));
            // Tokens of an earlier admin, whose file was deleted to reset the node, must not outlive it.
            tokens.revokeAll();
            audit.record(Event.ADMIN_CREATED, username, null);
            LOG.info("Admin account '{}' created in {}", username, adminFile.path());
        } finally {
            checks.unlock();
        }
    }

    @Override
    public void changePassword(String username, char[] currentPassword, char[] newPassword, String source) {
        requireStrong(newPassword);
        checks.lock();
        try {
            Admin admin = authenticate(username, currentPassword, source);
            adminFile.save(new Admin(admin.username(), argon2.hash(newPassword)));
            tokens.revokeAll();
            audit.record(Event.PASSWORD_CHANGED, admin.username(), source);
            LOG.info("Admin password changed; every token issued before was revoked");
        } finally {
            checks.unlock();
        }
    }

    @Override
    public Token login(String username, char[] password, String source) {
        checks.lock();
        try {
            Admin admin = authenticate(username, password, source);
            audit.record(Event.LOGIN_OK, admin.username(), source);
            return tokens.issue(admin.username());
        } finally {
            checks.unlock();
        }
    }

    @Override
    public Optional<Session> verify(String token) {
        return tokens.verify(token);
    }

    @Override
    public void revoke(String token) {
        tokens.revoke(token).ifPresent(session -> audit.record(Event.TOKEN_REVOKED, session.username(), null));
    }

    /**
     * Checks a user name and password against the admin account, with lockout and an audit line for every
     * failure. Returns the admin on success; UNAUTHENTICATED or LOCKED_OUT otherwise.
     */
    private Admin authenticate(String username, char[] password, String source) {
        Optional<Admin> admin = loadForLogin(source);
        Optional<Admin> named = admin.filter(a -> a.username().equals(username));
        // Only the admin's own name is written to the audit log: a name that is not it is often a password
        // typed into the wrong field.
        String audited = named.map(Admin::username).orElse(null);
        String key = throttleKey(username);
        Optional<Instant> lockedUntil = throttle.lockedUntil(key);
        if (lockedUntil.isPresent()) {
            audit.record(Event.LOGIN_LOCKED_OUT, audited, source);
            throw lockedOut(lockedUntil.get());
        }
        char[] given = password == null ? new char[0] : password;
        if (named.isPresent()) {
            if (Argon2id.verify(given, named.get().passwordHash())) {
                throttle.succeeded(key);
                return named.get();
            }
        } else {
            Argon2id.verify(given, unmatchable); // same cost as the admin's check, never a match
        }
        audit.record(Event.LOGIN_FAILED, audited, source);
        if (throttle.failed(key)) {
            audit.record(Event.LOCKOUT_STARTED, audited, source);
            Instant until = throttle.lockedUntil(key).orElseThrow();
            LOG.warn("{} consecutive failed logins for {} (last from {}): locked out until {}", LoginThrottle.MAX_FAILURES,
                    audited == null ? "a name that is not the admin's" : "admin '" + audited + "'", Validation.quote(source), until);
            throw lockedOut(until);
        }
        throw new QuantixException(ErrorCode.UNAUTHENTICATED, "wrong user name or password");
    }

    /** The admin, or empty before setup; an unreadable or unsafe file fails the login (the node log says why). */
    private Optional<Admin> loadForLogin(String source) {
        try {
            return adminFile.load();
        } catch (QuantixException e) {
            LOG.error("Login refused: the admin account cannot be used: {}", e.getMessage());
            audit.record(Event.LOGIN_FAILED, null, source);
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "the admin account cannot be read: see the node's log");
        }
    }

    /** Invalid names cannot be the admin's; they share one streak so invented names cannot grow the table. */
    private static String throttleKey(String username) {
        try {
            return Validation.name("user", username);
        } catch (QuantixException invalid) {
            return "";
        }
    }

    private static QuantixException lockedOut(Instant until) {
        return new QuantixException(ErrorCode.LOCKED_OUT, "too many failed logins: try again after " + until);
    }

    private static void requireStrong(char[] password) {
        int length = password == null ? 0 : Character.codePointCount(password, 0, password.length);
        if (length < MIN_PASSWORD_LENGTH) {
            throw QuantixException.invalid("the password is too short: use at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (length > MAX_PASSWORD_LENGTH) {
            throw QuantixException.invalid("the password is too long: use at most " + MAX_PASSWORD_LENGTH + " characters");
        }
        try {
            Arrays.fill(Argon2id.utf8(password), (byte) 0);
        } catch (IllegalArgumentException e) {
            throw QuantixException.invalid("the password is not valid Unicode text");
        }
    }
}
