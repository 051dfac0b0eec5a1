package io.quantix.security;

import java.net.InetAddress;
import java.util.Map;

/**
 * The node's single admin account. There are no default credentials: until {@link #create} has run
 * (first-boot setup), {@link #exists()} is false and the APIs refuse everything but health.
 *
 * <p>Passwords are {@code char[]} so callers can clear them after the call; they are never retained.
 */
public interface AdminAccount {
    /** Shortest password accepted. */
    int MIN_PASSWORD_LENGTH = 12;

    /**
     * The {@code source} of calls made on the node's own console (the Karaf shell): they are never throttled by
     * failures from the network and wait for a password check instead of being refused when the node is busy.
     */
    String CONSOLE = "console";

    /** Whether first-boot setup has created the admin. */
    boolean exists();

    /**
     * Whether first-boot setup is done ({@code <config>/.setup_complete}): the console's wizard or the setup API
     * has written its files. Until then the APIs answer only health and setup.
     */
    default boolean setupComplete() {
        return exists();
    }

    /**
     * First-boot setup from the node's console wizard: creates the admin as {@link #create(String, char[])} and writes
     * {@code files} (plain names → content, each mode 0600) into the config directory, all of them with the admin's
     * file and {@code .setup_complete} as one set: after a power cut the node has either all of them or none.
     * ALREADY_EXISTS if the admin exists; INVALID_ARGUMENT for a bad name, a weak password or a file name that is
     * not plain or is the admin's own file.
     */
    void completeSetup(String username, char[] password, Map<String, byte[]> files);

    /**
     * Creates the admin from the node's console. ALREADY_EXISTS if one exists; INVALID_ARGUMENT for a bad user
     * name or a password shorter than {@link #MIN_PASSWORD_LENGTH}.
     */
    void create(String username, char[] password);

    /**
     * Creates the admin for a network client (REST, gRPC). A client on the node itself (loopback) needs nothing
     * more; any other needs the {@link #setupCode()} shown on the console, which is used up by a successful
     * setup. UNAUTHENTICATED without the right code (nothing is created), otherwise as {@link #create(String, char[])}.
     *
     * @param setupCode the code the client sent, or null
     * @param client the client's address, as the transport saw it
     */
    void create(String username, char[] password, String setupCode, InetAddress client);

    /**
     * The one-time code that lets a client on another machine run first-boot setup, for the console only: kept
     * mode 0600 under the config directory, never logged. ALREADY_EXISTS once the admin exists.
     */
    String setupCode();

    /**
     * Replaces the admin's password after checking the current one, and revokes every token issued so far.
     * A wrong current password counts as a failed login from {@code source} (UNAUTHENTICATED, then LOCKED_OUT);
     * INVALID_ARGUMENT for a weak new password.
     *
     * @param source who is asking: the client's IP address, or {@link #CONSOLE}; recorded in the audit log
     */
    default void changePassword(String username, char[] currentPassword, char[] newPassword, String source) {
        changePassword(username, currentPassword, newPassword, source, null);
    }

    /**
     * As {@link #changePassword(String, char[], char[], String)}, but the session of {@code keepToken} (the
     * caller's own, if it has one) stays valid: every other one is revoked.
     */
    void changePassword(String username, char[] currentPassword, char[] newPassword, String source, String keepToken);
}
