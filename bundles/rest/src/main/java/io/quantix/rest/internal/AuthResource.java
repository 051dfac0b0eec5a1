package io.quantix.rest.internal;

import io.quantix.api.Validation;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Token;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** First-boot setup, login and logout. */
final class AuthResource {
    /** Body of setup and login. The password is a {@code char[]} so it is cleared once used. */
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

    record TokenReply(String token, Instant expiresAt) {
    }

    private final AdminAccount admin;
    private final Authenticator authenticator;

    AuthResource(AdminAccount admin, Authenticator authenticator) {
        this.admin = admin;
        this.authenticator = authenticator;
    }

    List<Route> routes() {
        return List.of(
                // open by necessity: there is nobody to authenticate before the admin exists; ALREADY_EXISTS after
                Route.open("POST", "/setup", c -> {
                    Credentials credentials = credentials(c);
                    try {
                        admin.create(credentials.username(), credentials.password());
                    } finally {
                        credentials.clear();
                    }
                    return new Reply(201, Json.write(Map.of("username", credentials.username())), Map.of());
                }),
                Route.open("POST", "/auth/login", c -> {
                    Credentials credentials = credentials(c);
                    Token token;
                    try {
                        token = authenticator.login(credentials.username(), credentials.password(), c.clientAddress());
                    } finally {
                        credentials.clear();
                    }
                    return Reply.ok(new TokenReply(token.value(), token.expiresAt()));
                }),
                Route.secured("POST", "/auth/logout", c -> {
                    authenticator.revoke(c.token().orElseThrow());
                    return Reply.noContent();
                }));
    }

    private static Credentials credentials(Call call) {
        byte[] body = call.bodyBytes();
        try {
            return Json.read(body, Credentials.class);
        } finally {
            // the raw body holds the password too
            Arrays.fill(body, (byte) 0);
        }
    }
}
