package io.quantix.security;

import java.util.Optional;

/**
 * Logs the admin in and checks the tokens REST and gRPC requests carry. Every login attempt and every
 * revocation is written to the node's audit log.
 */
public interface Authenticator {
    /**
     * Checks the credentials and issues a token. UNAUTHENTICATED for wrong credentials or when no admin
     * exists yet; LOCKED_OUT after 5 consecutive failures for that user name, for 15 minutes, whatever the
     * password.
     *
     * @param source who is asking, e.g. the client's IP address; recorded in the audit log
     */
    Token login(String username, char[] password, String source);

    /** The session of a valid token; empty for an unknown, expired or revoked one. */
    Optional<Session> verify(String token);

    /** Ends the token's session; an unknown or expired token is ignored, so logging out twice is harmless. */
    void revoke(String token);
}
