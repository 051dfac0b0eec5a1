package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.spi.NodeDirectories;
import io.quantix.security.AdminAccount;
import io.quantix.security.AuditTrail;
import io.quantix.security.Authenticator;
import io.quantix.security.Session;
import io.quantix.security.Token;
import io.quantix.security.internal.AdminFile.Admin;
import io.quantix.security.internal.AuditLog.Event;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin account ({@code <config>/admin.yaml}) and its first-boot setup code, its logins with lockout per
 * source address, the tokens they issue, and the audit log of all of it. One component for both services
 * because a password change must revoke tokens and count toward the same lockout as logins.
 */
// Immediate, so a node without an admin says so in its log at startup rather than at the first request.
@Component(service = {AdminAccount.class, Authenticator.class, AuditTrail.class}, configurationPid = AdminService.PID,
        immediate = true)
@Designate(ocd = AdminService.Config.class)
public class AdminService implements AdminAccount, Authenticator, AuditTrail {
    static final String PID = "io.quantix.security";
    static final int MAX_PASSWORD_LENGTH = 1024;
    static final int MAX_CONCURRENT_CHECKS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

    @ObjectClassDefinition(id = PID, name = "Quantix security")
    public @interface Config {
        @AttributeDefinition(description = "Minutes a login token stays valid (default 12 hours).", min = "1", max = "43200")
        int tokenTtlMinutes() default 720;

        @AttributeDefinition(description = "Seconds a source (an address, or the local console's menus) is locked out"
                + " after 5 failed logins (default 15 minutes).", min = "1", max = "86400")
        int lockoutSeconds() default 900;
    }

    private final AdminFile adminFile;
    private final SetupCommit setup;
    private final SetupCode setupCode;
    private final AuditLog audit;
    private final LoginThrottle throttle;
    private final TokenStore tokens;
    private final Argon2id argon2;
    /** Checked instead of the admin's hash for unknown user names, at the same cost. */
    private final String unmatchable;
    /**
     * Password checks (and hashes) running at once, at most. Each Argon2id check takes 64 MiB and a core for a
     * moment: sized for a 2-core node, so a login flood can neither exhaust the heap nor starve the calls of
     * clients already logged in. A network attempt beyond it is refused at once (LOCKED_OUT, "try again in a
     * moment") rather than queued; the console waits its turn.
     */
    final Semaphore checks = new Semaphore(MAX_CONCURRENT_CHECKS, true);
    /** Serialises changes to the account file (setup, password change). */
    private final ReentrantLock account = new ReentrantLock();

    @Activate
    public AdminService(Config config) {
        this(NodeDirectories.config(), NodeDirectories.data(), Clock.systemUTC(),
                Duration.ofMinutes(Validation.range("tokenTtlMinutes", config.tokenTtlMinutes(), 1, 43200)),
                Duration.ofSeconds(Validation.range("lockoutSeconds", config.lockoutSeconds(), 1, 86400)),
                Argon2id.DEFAULT);
        if (!exists()) {
            setupCode.current(); // created now, so the console can show it before anyone asks
            // the code itself is never logged: the node's log may be readable by more people than its console
            LOG.warn("No admin account yet ({} is missing): the APIs refuse everything but health until first-boot"
                    + " setup creates it, with qx:admin-setup on the console, the setup API from this machine, or the"
                    + " setup API from elsewhere with the code that qx:setup-code shows", adminFile.path());
        }
    }

    AdminService(Path configDir, Path dataDir, Clock clock, Duration tokenTtl, Argon2id.Params hashParams) {
        this(configDir, dataDir, clock, tokenTtl, LoginThrottle.DEFAULT_WINDOW, hashParams);
    }

    AdminService(Path configDir, Path dataDir, Clock clock, Duration tokenTtl, Duration lockout,
            Argon2id.Params hashParams) {
        this.adminFile = new AdminFile(configDir);
        this.setup = new SetupCommit(configDir);
        // before anything can look at the files: a setup cut short by a kill is finished or dropped now
        setup.recover();
        if (adminFile.exists() && !setup.complete()) {
            setup.markComplete(); // an admin made before the marker existed: that node is set up
        }
        this.setupCode = new SetupCode(configDir);
        this.audit = new AuditLog(dataDir, clock);
        this.throttle = new LoginThrottle(clock, lockout);
        this.tokens = new TokenStore(clock, tokenTtl);
        this.argon2 = new Argon2id(hashParams);
        this.unmatchable = argon2.unmatchable();
    }

    @Override
    public boolean exists() {
        return adminFile.exists();
    }

    @Override
    public boolean setupComplete() {
        return setup.complete();
    }

    @Override
    public void create(String username, char[] password) {
        createChecked(username, password, CONSOLE, Map.of());
    }

    @Override
    public void completeSetup(String username, char[] password, Map<String, byte[]> files) {
        if (files.containsKey(AdminFile.NAME) || files.containsKey(SetupCommit.COMPLETE)) {
            throw QuantixException.invalid("setup files may not replace " + AdminFile.NAME + " or " + SetupCommit.COMPLETE);
        }
        createChecked(username, password, CONSOLE, files);
    }

    @Override
    public void create(String username, char[] password, String code, InetAddress client) {
        String source = client.getHostAddress();
        if (exists()) {
            throw QuantixException.alreadyExists("admin account", "of this node");
        }
        if (!client.isLoopbackAddress() && !setupCode.matches(code)) {
            audit.recordLimited(Event.SETUP_REFUSED, null, source);
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "setup from another machine needs the node's setup"
                    + " code: run qx:setup-code on the node's console (or set up from the node itself)");
        }
        createChecked(username, password, source, Map.of());
    }

    private void createChecked(String username, char[] password, String source, Map<String, byte[]> otherFiles) {
        Validation.name("admin user", username);
        requireStrong(password);
        withCheck(source, () -> {
            account.lock();
            try {
                if (adminFile.exists()) {
                    throw QuantixException.alreadyExists("admin account", username);
                }
                Map<String, byte[]> files = new LinkedHashMap<>(otherFiles);
                files.put(AdminFile.NAME, AdminFile.render(new Admin(username, argon2.hash(password))));
                setup.commit(files);
                setupCode.consume();
                // Tokens of an earlier admin, whose file was deleted to reset the node, must not outlive it.
                tokens.revokeAllExcept(null);
                audit.record(Event.ADMIN_CREATED, username, CONSOLE.equals(source) ? null : source);
                LOG.info("Admin account '{}' created in {}", username, adminFile.path());
                return null;
            } finally {
                account.unlock();
            }
        });
    }

    @Override
    public void record(String action, String user, String source, String detail) {
        audit.record(action, user, source, detail);
    }

    @Override
    public String setupCode() {
        if (exists()) {
            throw QuantixException.alreadyExists("admin account", "of this node (setup is done: there is no setup code)");
        }
        return setupCode.current();
    }

    @Override
    public void changePassword(String username, char[] currentPassword, char[] newPassword, String source,
            String keepToken) {
        requireStrong(newPassword);
        withCheck(source, () -> {
            Admin admin = authenticate(username, currentPassword, source);
            account.lock();
            try {
                adminFile.save(new Admin(admin.username(), argon2.hash(newPassword)));
                tokens.revokeAllExcept(keepToken);
            } finally {
                account.unlock();
            }
            audit.record(Event.PASSWORD_CHANGED, admin.username(), source);
            LOG.info("Admin password changed; every other token issued before was revoked");
            return null;
        });
    }

    @Override
    public Token login(String username, char[] password, String source) {
        return withCheck(source, () -> {
            Admin admin = authenticate(username, password, source);
            audit.record(Event.LOGIN_OK, admin.username(), source);
            return tokens.issue(admin.username());
        });
    }

    @Override
    public Optional<Session> verify(String token) {
        return tokens.verify(token);
    }

    @Override
    public void revoke(String token) {
        tokens.revoke(token).ifPresent(session -> audit.record(Event.TOKEN_REVOKED, session.username(), null));
    }

    @Override
    public int revokeAll(String source) {
        int ended = tokens.revokeAllExcept(null);
        audit.record(Event.SESSIONS_REVOKED, null, source);
        LOG.info("Every session was revoked ({} live)", ended);
        return ended;
    }

    @Override
    public Subscription onRevoked(String token, Runnable onRevoked) {
        return tokens.onRevoked(token, onRevoked);
    }

    /**
     * Runs a password check or hash with one of the {@link #checks} permits: the console waits for one, a
     * network client gets LOCKED_OUT at once when none is free. That refusal is audited, rate-limited.
     */
    private <T> T withCheck(String source, Supplier<T> work) {
        if (CONSOLE.equals(source)) {
            checks.acquireUninterruptibly();
        } else if (!checks.tryAcquire()) {
            audit.recordLimited(Event.LOGIN_BUSY, null, source);
            throw new QuantixException(ErrorCode.LOCKED_OUT, "the node is busy checking other logins: try again in a moment");
        }
        try {
            return work.get();
        } finally {
            checks.release();
        }
    }

    /**
     * Checks a user name and password against the admin account, with lockout per source address and an audit
     * line for every failure. Returns the admin on success; UNAUTHENTICATED or LOCKED_OUT otherwise. The console
     * is not throttled: it is the way back in for the real admin while an address floods the network APIs.
     */
    private Admin authenticate(String username, char[] password, String source) {
        Optional<Admin> admin = loadForLogin(source);
        Optional<Admin> named = admin.filter(a -> a.username().equals(username));
        // Only the admin's own name is written to the audit log: a name that is not it is often a password
        // typed into the wrong field.
        String audited = named.map(Admin::username).orElse(null);
        boolean throttled = !CONSOLE.equals(source);
        Optional<Instant> lockedUntil = throttled ? throttle.lockedUntil(source) : Optional.empty();
        if (lockedUntil.isPresent()) {
            audit.recordLimited(Event.LOGIN_LOCKED_OUT, audited, source);
            throw lockedOut(lockedUntil.get());
        }
        char[] given = password == null ? new char[0] : password;
        if (named.isPresent()) {
            if (Argon2id.verify(given, named.get().passwordHash())) {
                if (throttled) {
                    throttle.succeeded(source);
                }
                return named.get();
            }
        } else {
            Argon2id.verify(given, unmatchable); // same cost as the admin's check, never a match
        }
        audit.record(Event.LOGIN_FAILED, audited, source);
        if (throttled && throttle.failed(source)) {
            audit.record(Event.LOCKOUT_STARTED, audited, source);
            Instant until = throttle.lockedUntil(source).orElseThrow();
            LOG.warn("{} consecutive failed logins from {}: that source is locked out until {}",
                    LoginThrottle.MAX_FAILURES, Validation.quote(source), until);
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

    private static QuantixException lockedOut(Instant until) {
        return new QuantixException(ErrorCode.LOCKED_OUT, "too many failed logins from your address: try again after " + until);
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
