package io.quantix.security;

/**
 * The node's one audit log ({@code <data>/audit.log}), for events of other bundles than this one: the console's
 * menus and its emergency shell write each command there.
 */
public interface AuditTrail {
    /**
     * Appends one line. {@code action} is upper-case letters and underscores (INVALID_ARGUMENT otherwise);
     * {@code user} and {@code source} are cleaned as for logins; {@code detail} (may be null) is quoted and escaped,
     * so it stays on its line.
     */
    void record(String action, String user, String source, String detail);
}
