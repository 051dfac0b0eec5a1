package io.quantix.security;

/**
 * The node's single admin account. There are no default credentials: until {@link #create} has run
 * (first-boot setup), {@link #exists()} is false and the APIs refuse everything but health.
 *
 * <p>Passwords are {@code char[]} so callers can clear them after the call; they are never retained.
 */
public interface AdminAccount {
    /** Shortest password accepted. */
    int MIN_PASSWORD_LENGTH = 12;

    /** Whether first-boot setup has created the admin. */
    boolean exists();

    /**
     * Creates the admin. ALREADY_EXISTS if one exists; INVALID_ARGUMENT for a bad user name or a password
     * shorter than {@link #MIN_PASSWORD_LENGTH}.
     */
    void create(String username, char[] password);

    /**
     * Replaces the admin's password after checking the current one, and revokes every token issued so far.
     * A wrong current password counts as a failed login (UNAUTHENTICATED, then LOCKED_OUT); INVALID_ARGUMENT
     * for a weak new password.
     *
     * @param source who is asking, e.g. the client's IP address; recorded in the audit log
     */
    void changePassword(String username, char[] currentPassword, char[] newPassword, String source);
}
