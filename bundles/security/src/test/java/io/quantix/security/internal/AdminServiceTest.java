package io.quantix.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.security.AdminAccount;
import io.quantix.security.Session;
import io.quantix.security.Token;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class AdminServiceTest {
    private static final Instant START = Instant.parse("2026-11-25T18:30:00Z");
    private static final String PASSWORD = "correct horse battery";
    private static final String WRONG = "wrong horse battery";
    private static final String SOURCE = "127.0.0.1";
    private static final String STRANGER = "203.0.113.7";
    /** Cheap parameters: these tests are about accounts, lockout and tokens; Argon2idTest covers the real cost. */
    private static final Argon2id.Params FAST = new Argon2id.Params(256, 1, 1);

    @TempDir
    Path config;
    @TempDir
    Path data;
    private TestClock clock;
    private AdminService service;

    @BeforeEach
    void setUp() {
        clock = new TestClock(START);
        service = new AdminService(config, data, clock, Duration.ofHours(12), FAST);
    }

    @Test
    void withoutAdminNothingLogsIn() {
        assertFalse(service.exists());
        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", PASSWORD));
        assertEquals(List.of("2026-11-25T18:30:00Z LOGIN_FAILED user=- source=127.0.0.1"), audit());
    }

    @Test
    void createWritesPrivateFileWithHashOnly() throws IOException {
        service.create("admin", PASSWORD.toCharArray());

        Path file = config.resolve("admin.yaml");
        assertTrue(service.exists());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String content = Files.readString(file);
        assertTrue(content.contains("username: admin\n"), content);
        assertTrue(content.contains("passwordHash: '$argon2id$v=19$m=256,t=1,p=1$"), content);
        assertFalse(content.contains(PASSWORD), content);
        assertEquals(List.of("2026-11-25T18:30:00Z ADMIN_CREATED user=admin"), audit());
    }

    @Test
    void weakPasswordOrBadNameCreatesNothing() {
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> service.create("admin", "short pass!".toCharArray()));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> service.create("admin", null));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> service.create("bad name", PASSWORD.toCharArray()));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> service.create("admin", "x".repeat(1025).toCharArray()));

        assertFalse(service.exists());
        assertFalse(Files.exists(config.resolve("admin.yaml")));
    }

    @Test
    void secondAdminIsRefused() {
        service.create("admin", PASSWORD.toCharArray());

        assertCode(ErrorCode.ALREADY_EXISTS, () -> service.create("other", "another long password".toCharArray()));
        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("other", "another long password"));
        login("admin", PASSWORD);
    }

    @Test
    void loginIssuesTokenThatVerifies() {
        service.create("admin", PASSWORD.toCharArray());

        Token token = login("admin", PASSWORD);

        assertTrue(token.value().matches("[A-Za-z0-9_-]{43}"), "32 random bytes, base64url");
        assertEquals(START.plus(Duration.ofHours(12)), token.expiresAt());
        assertEquals(Optional.of(new Session("admin", token.expiresAt())), service.verify(token.value()));
        assertFalse(token.toString().contains(token.value()));
    }

    @Test
    void wrongPasswordsOrUnknownTokensGetNothing() {
        service.create("admin", PASSWORD.toCharArray());

        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", WRONG));
        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("Admin", PASSWORD));
        assertCode(ErrorCode.UNAUTHENTICATED, () -> service.login("admin", null, SOURCE));
        assertEquals(Optional.empty(), service.verify("not-a-token"));
        assertEquals(Optional.empty(), service.verify(null));
    }

    @Test
    void fiveFailuresLockTheAccountForFifteenMinutes() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 0; i < 4; i++) {
            assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", WRONG));
        }
        assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", WRONG));

        assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", PASSWORD));
        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", PASSWORD));
        clock.advance(Duration.ofSeconds(1));
        login("admin", PASSWORD);
    }

    @Test
    void successResetsTheFailureCount() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 0; i < 4; i++) {
            assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", WRONG));
        }
        login("admin", PASSWORD);
        for (int i = 0; i < 4; i++) {
            assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", WRONG));
        }
        login("admin", PASSWORD);
    }

    @Test
    void unknownNamesCountTowardTheSameLockoutAsTheAdmin() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 0; i < 4; i++) {
            assertCode(ErrorCode.UNAUTHENTICATED, () -> login("root", PASSWORD));
        }
        assertCode(ErrorCode.LOCKED_OUT, () -> login("root", PASSWORD));

        assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", PASSWORD));
    }

    @Test
    void aStrangerLocksOutOnlyTheirOwnAddress() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 0; i < 4; i++) {
            assertCode(ErrorCode.UNAUTHENTICATED, () -> service.login("admin", WRONG.toCharArray(), STRANGER));
        }
        assertCode(ErrorCode.LOCKED_OUT, () -> service.login("admin", WRONG.toCharArray(), STRANGER));
        assertCode(ErrorCode.LOCKED_OUT, () -> service.login("admin", PASSWORD.toCharArray(), STRANGER));

        login("admin", PASSWORD);
        service.login("admin", PASSWORD.toCharArray(), AdminAccount.CONSOLE);
    }

    @Test
    void anIpv6ClientIsCountedByItsNetwork() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 1; i <= 5; i++) {
            String address = "2001:db8:0:7::" + i;
            assertCode(null, () -> service.login("admin", WRONG.toCharArray(), address));
        }

        assertCode(ErrorCode.LOCKED_OUT, () -> service.login("admin", PASSWORD.toCharArray(), "2001:db8:0:7:ffff::1"));
        service.login("admin", PASSWORD.toCharArray(), "2001:db8:0:8::1");
    }

    @Test
    void theConsoleIsNeverLockedOut() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 0; i < 10; i++) {
            assertCode(ErrorCode.UNAUTHENTICATED, () -> service.login("admin", WRONG.toCharArray(), AdminAccount.CONSOLE));
        }
        service.login("admin", PASSWORD.toCharArray(), AdminAccount.CONSOLE);
        service.changePassword("admin", PASSWORD.toCharArray(), "a new long password".toCharArray(), AdminAccount.CONSOLE);
    }

    @Test
    void lockedOutAttemptsWriteOneAuditLinePerMinuteAndACount() {
        service.create("admin", PASSWORD.toCharArray());
        for (int i = 0; i < 5; i++) {
            assertCode(null, () -> service.login("admin", WRONG.toCharArray(), STRANGER));
        }
        for (int i = 0; i < 50; i++) {
            assertCode(ErrorCode.LOCKED_OUT, () -> service.login("admin", WRONG.toCharArray(), STRANGER));
        }
        clock.advance(Duration.ofSeconds(59));
        assertCode(ErrorCode.LOCKED_OUT, () -> service.login("admin", WRONG.toCharArray(), STRANGER));
        clock.advance(Duration.ofSeconds(1));
        assertCode(ErrorCode.LOCKED_OUT, () -> service.login("admin", WRONG.toCharArray(), STRANGER));

        List<String> lines = audit();
        assertEquals(List.of(
                "2026-11-25T18:30:00Z LOGIN_LOCKED_OUT user=admin source=203.0.113.7",
                "2026-11-25T18:31:00Z LOGIN_LOCKED_OUT user=admin source=203.0.113.7 repeated=50 since=2026-11-25T18:30:00Z",
                "2026-11-25T18:31:00Z LOGIN_LOCKED_OUT user=admin source=203.0.113.7"),
                lines.stream().filter(l -> l.contains("LOGIN_LOCKED_OUT")).toList());
        assertEquals(5, lines.stream().filter(l -> l.contains("LOGIN_FAILED")).count());
    }

    @Test
    void aBusyNodeRefusesNetworkLoginsAtOnceButTheConsoleWaits() throws Exception {
        service.create("admin", PASSWORD.toCharArray());
        // two password checks in progress, as under a login flood
        service.checks.acquire(AdminService.MAX_CONCURRENT_CHECKS);

        QuantixException busy = assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", PASSWORD));
        assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
        assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", PASSWORD));
        assertEquals(List.of("2026-11-25T18:30:00Z LOGIN_BUSY user=- source=127.0.0.1"),
                audit().stream().filter(l -> l.contains("LOGIN_BUSY")).toList());

        CompletableFuture<Token> console = CompletableFuture.supplyAsync(
                () -> service.login("admin", PASSWORD.toCharArray(), AdminAccount.CONSOLE));
        assertFalse(console.isDone(), "the console waits for a free check instead of being refused");
        service.checks.release(AdminService.MAX_CONCURRENT_CHECKS);
        assertTrue(service.verify(console.get(30, TimeUnit.SECONDS).value()).isPresent(), "console login after the checks ended");
        // nothing else holds a check now: the network is served again, and the refusals did not count as failures
        login("admin", PASSWORD);
    }

    @Test
    void remoteSetupNeedsTheSetupCodeAndUsesItUp() throws Exception {
        String code = service.setupCode();
        assertTrue(code.matches("[0-9A-Z]{5}(-[0-9A-Z]{5}){3}"), code);
        Path file = config.resolve("setup-code");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(code, service.setupCode(), "the code stays the same until used");
        InetAddress stranger = InetAddress.getByName(STRANGER);

        assertCode(ErrorCode.UNAUTHENTICATED, () -> service.create("admin", PASSWORD.toCharArray(), null, stranger));
        assertCode(ErrorCode.UNAUTHENTICATED,
                () -> service.create("admin", PASSWORD.toCharArray(), "AAAAA-AAAAA-AAAAA-AAAAA", stranger));
        assertCode(ErrorCode.UNAUTHENTICATED, () -> service.create("admin", PASSWORD.toCharArray(), "", stranger));
        assertFalse(service.exists());

        service.create("admin", PASSWORD.toCharArray(), code.toLowerCase().replace("-", ""), stranger);

        assertTrue(service.exists());
        assertFalse(Files.exists(file), "the code is used up");
        assertCode(ErrorCode.ALREADY_EXISTS, () -> service.setupCode());
        assertCode(ErrorCode.ALREADY_EXISTS, () -> service.create("other", PASSWORD.toCharArray(), code, stranger));
        assertTrue(audit().contains("2026-11-25T18:30:00Z SETUP_REFUSED user=- source=203.0.113.7"), audit().toString());
        assertTrue(audit().contains("2026-11-25T18:30:00Z ADMIN_CREATED user=admin source=203.0.113.7"), audit().toString());
        assertFalse(String.join("\n", audit()).contains(code.substring(0, 5)), "the code is never logged");
    }

    @Test
    void setupFromTheNodeItselfNeedsNoCode() throws Exception {
        service.setupCode();
        service.create("admin", PASSWORD.toCharArray(), null, InetAddress.getByName("::1"));

        assertTrue(service.exists());
        assertFalse(Files.exists(config.resolve("setup-code")), "no code is left once the admin exists");
    }

    @Test
    void changingThePasswordKeepsOnlyTheCallersSession() {
        service.create("admin", PASSWORD.toCharArray());
        Token caller = login("admin", PASSWORD);
        Token other = login("admin", PASSWORD);

        service.changePassword("admin", PASSWORD.toCharArray(), "a new long password".toCharArray(), SOURCE, caller.value());

        assertTrue(service.verify(caller.value()).isPresent());
        assertEquals(Optional.empty(), service.verify(other.value()));
    }

    @Test
    void revokingAllSessionsEndsEveryOneAndTellsTheirStreams() {
        service.create("admin", PASSWORD.toCharArray());
        Token first = login("admin", PASSWORD);
        Token second = login("admin", PASSWORD);
        AtomicInteger ended = new AtomicInteger();
        service.onRevoked(first.value(), ended::incrementAndGet);
        service.onRevoked(second.value(), ended::incrementAndGet).close();

        assertEquals(2, service.revokeAll(SOURCE));

        assertEquals(1, ended.get(), "the listener still registered ran once; the closed one did not");
        assertEquals(Optional.empty(), service.verify(first.value()));
        assertEquals(Optional.empty(), service.verify(second.value()));
        assertTrue(audit().contains("2026-11-25T18:30:00Z SESSIONS_REVOKED user=- source=127.0.0.1"));
    }

    @Test
    void revocationListenersRunOnLogoutAndPasswordChangeAndAtOnceForADeadToken() {
        service.create("admin", PASSWORD.toCharArray());
        Token loggedOut = login("admin", PASSWORD);
        Token changed = login("admin", PASSWORD);
        AtomicInteger ended = new AtomicInteger();
        service.onRevoked(loggedOut.value(), ended::incrementAndGet);
        service.onRevoked(changed.value(), ended::incrementAndGet);

        service.revoke(loggedOut.value());
        assertEquals(1, ended.get());
        service.changePassword("admin", PASSWORD.toCharArray(), "a new long password".toCharArray(), SOURCE);
        assertEquals(2, ended.get());
        service.onRevoked(loggedOut.value(), ended::incrementAndGet);
        assertEquals(3, ended.get(), "a token already dead is told at once");
    }

    @Test
    void tokensExpire() {
        service.create("admin", PASSWORD.toCharArray());
        Token token = login("admin", PASSWORD);

        clock.advance(Duration.ofHours(12).minusSeconds(1));
        assertTrue(service.verify(token.value()).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), service.verify(token.value()));
    }

    @Test
    void revokedTokensStopWorking() {
        service.create("admin", PASSWORD.toCharArray());
        Token revoked = login("admin", PASSWORD);
        Token other = login("admin", PASSWORD);

        service.revoke(revoked.value());
        service.revoke(revoked.value());
        service.revoke("never-issued");

        assertEquals(Optional.empty(), service.verify(revoked.value()));
        assertTrue(service.verify(other.value()).isPresent());
        assertEquals(1, audit().stream().filter(line -> line.contains("TOKEN_REVOKED")).count());
    }

    @Test
    void auditLogHasOneLinePerEventAndNoSecrets() throws IOException {
        service.create("admin", PASSWORD.toCharArray());
        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", WRONG));
        // A password typed into the user name field must not reach the log.
        assertCode(ErrorCode.UNAUTHENTICATED, () -> service.login(PASSWORD, PASSWORD.toCharArray(), "::1\nFORGED line"));
        Token token = login("admin", PASSWORD);
        clock.advance(Duration.ofMinutes(1));
        service.revoke(token.value());
        for (int i = 0; i < 5; i++) {
            assertCode(null, () -> login("admin", WRONG));
        }
        assertCode(ErrorCode.LOCKED_OUT, () -> login("admin", PASSWORD));

        assertEquals(List.of(
                "2026-11-25T18:30:00Z ADMIN_CREATED user=admin",
                "2026-11-25T18:30:00Z LOGIN_FAILED user=admin source=127.0.0.1",
                "2026-11-25T18:30:00Z LOGIN_FAILED user=- source=::1?FORGED?line",
                "2026-11-25T18:30:00Z LOGIN_OK user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z TOKEN_REVOKED user=admin",
                "2026-11-25T18:31:00Z LOGIN_FAILED user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z LOGIN_FAILED user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z LOGIN_FAILED user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z LOGIN_FAILED user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z LOGIN_FAILED user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z LOCKOUT_STARTED user=admin source=127.0.0.1",
                "2026-11-25T18:31:00Z LOGIN_LOCKED_OUT user=admin source=127.0.0.1"), audit());
        String log = Files.readString(data.resolve("audit.log"));
        assertFalse(log.contains(PASSWORD) || log.contains(WRONG) || log.contains(token.value()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("audit.log"))));
    }

    @Test
    void changingThePasswordRevokesTokens() {
        service.create("admin", PASSWORD.toCharArray());
        Token before = login("admin", PASSWORD);

        assertCode(ErrorCode.UNAUTHENTICATED,
                () -> service.changePassword("admin", WRONG.toCharArray(), "a new long password".toCharArray(), SOURCE));
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> service.changePassword("admin", PASSWORD.toCharArray(), "too short".toCharArray(), SOURCE));
        service.changePassword("admin", PASSWORD.toCharArray(), "a new long password".toCharArray(), SOURCE);

        assertEquals(Optional.empty(), service.verify(before.value()));
        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", PASSWORD));
        login("admin", "a new long password");
        assertTrue(audit().contains("2026-11-25T18:30:00Z PASSWORD_CHANGED user=admin source=127.0.0.1"));
    }

    @Test
    void resettingTheAdminEndsEarlierSessions() throws IOException {
        service.create("admin", PASSWORD.toCharArray());
        Token earlier = login("admin", PASSWORD);

        Files.delete(config.resolve("admin.yaml"));
        assertFalse(service.exists());
        service.create("newadmin", "a new long password".toCharArray());

        assertEquals(Optional.empty(), service.verify(earlier.value()));
    }

    @Test
    void noTokenWithoutAnAuditLine() throws IOException {
        service.create("admin", PASSWORD.toCharArray());
        Files.move(data.resolve("audit.log"), data.resolve("audit.log.1"));
        Files.createDirectory(data.resolve("audit.log"));

        assertCode(ErrorCode.INTERNAL, () -> login("admin", PASSWORD));
    }

    @Test
    void adminFileReadableByOthersIsRefused() throws IOException {
        service.create("admin", PASSWORD.toCharArray());
        Files.setPosixFilePermissions(config.resolve("admin.yaml"), PosixFilePermissions.fromString("rw-r--r--"));

        QuantixException refused = assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", PASSWORD));
        assertFalse(refused.getMessage().contains(PASSWORD));
        QuantixException unsafe = assertCode(ErrorCode.INVALID_ARGUMENT, () -> new AdminFile(config).load());
        assertTrue(unsafe.getMessage().contains(config.resolve("admin.yaml").toString()), unsafe.getMessage());
    }

    @Test
    void damagedAdminFileIsRefused() throws IOException {
        service.create("admin", PASSWORD.toCharArray());
        Path file = config.resolve("admin.yaml");
        Files.writeString(file, Files.readString(file) + "role: root\n");

        assertCode(ErrorCode.UNAUTHENTICATED, () -> login("admin", PASSWORD));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> new AdminFile(config).load());
    }

    @Test
    void handWrittenAdminFileWithReferenceHashLogsIn() throws IOException {
        // What an operator could write by hand: unquoted hash, comments, blank lines.
        Path file = config.resolve("admin.yaml");
        Files.writeString(file, "# reset by hand\n\nusername: root\npasswordHash: "
                + "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertTrue(service.exists());
        assertEquals("root", service.verify(login("root", "password").value()).orElseThrow().username());
    }

    private Token login(String username, String password) {
        return service.login(username, password.toCharArray(), SOURCE);
    }

    private List<String> audit() {
        try {
            Path log = data.resolve("audit.log");
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts a QuantixException with that code (any code if null). */
    private static QuantixException assertCode(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        if (code != null) {
            assertEquals(code, e.code(), e.getMessage());
        }
        return e;
    }
}
