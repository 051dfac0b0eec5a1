package io.quantix.rest.internal;

import io.quantix.api.Validation;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Token;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** First-boot setup, login, logout, password change and revoking every session. */
final class AuthResource {
    /** Body of login. The password is a {@code char[]} so it is cleared once used. */
    record Credentials(String username, char[] password) {
        Credentials {
            Validation.required("username", username);
            Validation.required("password", password);
        }

        void clear() {
            Arrays.fill(password, '\0');
        }

        /** Records print every component: this one must never show the password. */
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=(hidden)]";
        }
    }

    /** Body of setup: the credentials, and the setup code a client on another machine needs. */
    record SetupRequest(String username, char[] password, String setupCode) {
        SetupRequest {
            Validation.required("username", username);
            Validation.required("password", password);
        }

        void clear() {
            Arrays.fill(password, '\0');
        }

        @Override
        public String toString() {
            return "SetupRequest[username=" + username + ", password=(hidden), setupCode=(hidden)]";
        }
    }

    record PasswordChange(char[] currentPassword, char[] newPassword) {
        PasswordChange {
            Validation.required("currentPassword", currentPassword);
            Validation.required("newPassword", newPassword);
        }

        void clear() {
            Arrays.fill(currentPassword, '\0');
            Arrays.fill(newPassword, '\0');
        }

        @Override
        public String toString() {
            return "PasswordChange[(hidden)]";
        }
    }

    record TokenReply(String token, Instant expiresAt) {
    }

    /** A web console session as its page sees it: never the session token, which stays in the cookie. */
    record BrowserSession(String username, String csrfToken, Instant expiresAt) {
    }

    private final AdminAccount admin;
    private final Authenticator authenticator;
    private final BrowserSessions browser;

    AuthResource(AdminAccount admin, Authenticator authenticator, BrowserSessions browser) {
        this.admin = admin;
        this.authenticator = authenticator;
        this.browser = browser;
    }

    List<Route> routes() {
        return List.of(
                // open by necessity: there is nobody to authenticate before the admin exists; ALREADY_EXISTS after.
                // From another machine it takes the console's setup code, so reaching the port first is not enough.
                Route.open("POST", "/setup", c -> {
                    SetupRequest setup = read(c, SetupRequest.class);
                    try {
                        admin.create(setup.username(), setup.password(), setup.setupCode(), c.clientInetAddress());
                    } finally {
                        setup.clear();
                    }
                    return new Reply(201, Json.write(Map.of("username", setup.username())), Map.of());
                }),
                Route.open("POST", "/auth/login", c -> {
                    Credentials credentials = read(c, Credentials.class);
                    Token token;
                    try {
                        token = authenticator.login(credentials.username(), credentials.password(), c.clientAddress());
                    } finally {
                        credentials.clear();
                    }
                    return Reply.ok(new TokenReply(token.value(), token.expiresAt()));
                }),
                // the web console's login: the token goes into an HttpOnly cookie, the page gets the CSRF token
                Route.open("POST", "/auth/session", c -> {
                    Credentials credentials = read(c, Credentials.class);
                    Token token;
                    try {
                        token = authenticator.login(credentials.username(), credentials.password(), c.clientAddress());
                    } finally {
                        credentials.clear();
                    }
                    return Reply.ok(new BrowserSession(credentials.username(), browser.csrfToken(token.value()),
                            token.expiresAt())).withHeader("Set-Cookie", BrowserSessions.cookie(token, Instant.now()));
                }),
                // a reloaded page learns its session and CSRF token again (it keeps neither in storage)
                Route.secured("GET", "/auth/session", c -> Reply.ok(new BrowserSession(c.session().username(),
                        browser.csrfToken(c.token().orElseThrow()), c.session().expiresAt()))),
                Route.secured("POST", "/auth/logout", c -> {
                    authenticator.revoke(c.token().orElseThrow());
                    boolean cookie = BrowserSessions.cookieToken(c.exchange()).equals(c.token())
                            && c.header("Authorization").isEmpty();
                    return cookie ? Reply.noContent().withHeader("Set-Cookie", BrowserSessions.expiredCookie())
                            : Reply.noContent();
                }),
                Route.secured("POST", "/auth/password", c -> {
                    PasswordChange change = read(c, PasswordChange.class);
                    try {
                        admin.changePassword(c.session().username(), change.currentPassword(), change.newPassword(),
                                c.clientAddress(), c.token().orElseThrow());
                    } finally {
                        change.clear();
                    }
                    return Reply.noContent();
                }),
                Route.secured("POST", "/auth/sessions/revoke",
                        c -> Reply.ok(Map.of("revoked", authenticator.revokeAll(c.clientAddress())))));
    }

    /** A body holding passwords: the raw bytes are cleared once parsed. */
    private static <T> T read(Call call, Class<T> type) {
        byte[] body = call.bodyBytes();
        try {
            return Json.read(body, type);
        } finally {
            // the raw body holds the password too
            Arrays.fill(body, (byte) 0);
        }
    }
}
