package io.quantix.security;

import java.util.Optional;

/**
 * Logs the admin in and checks the tokens REST and gRPC requests carry. Every login attempt and every
 * revocation is written to the node's audit log.
 */
public interface Authenticator {
    /** Failed logins from one address after which that address is locked out. */
    int MAX_FAILURES = 5;

    /**
     * Checks the credentials and issues a token. UNAUTHENTICATED for wrong credentials or when no admin
     * exists yet; LOCKED_OUT after {@link #MAX_FAILURES} consecutive failures from that source address, for
     * 15 minutes, whatever the password, and at once while the node is already checking as many passwords as
     * it can afford (try again in a moment). Failures from other addresses or from the console never lock
     * out this source.
     *
     * @param source who is asking: the client's IP address, or {@link AdminAccount#CONSOLE}; recorded in the
     *        audit log and the key of the lockout
     */
    Token login(String username, char[] password, String source);

    /** The session of a valid token; empty for an unknown, expired or revoked one. */
    Optional<Session> verify(String token);

    /** Ends the token's session; an unknown or expired token is ignored, so logging out twice is harmless. */
    void revoke(String token);

    /**
     * Ends every session (log out everywhere), the caller's own included.
     *
     * @param source who is asking, for the audit log
     * @return how many live sessions were ended
     */
    int revokeAll(String source);

    /**
     * Runs {@code onRevoked} once when the token is revoked (logout, {@link #revokeAll}, a password change),
     * on the revoking thread, or at once if the token is not valid now. Long-lived streams use it to end the
     * moment their token stops being valid; expiry is left to their own periodic check.
     *
     * @return closing it forgets the listener (when the stream ends first)
     */
    Subscription onRevoked(String token, Runnable onRevoked);

    /** A registered listener; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
