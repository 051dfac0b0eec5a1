package io.quantix.api;

/**
 * Stable error codes. Clients match on these; messages are for people. Each adapter maps a code once
 * (HTTP status, gRPC status, shell message), so adding one is an API change.
 */
public enum ErrorCode {
    /** The named object does not exist. */
    NOT_FOUND,
    /** An object with that name already exists. */
    ALREADY_EXISTS,
    /** The request itself is malformed: a bad name, size, path or combination of values. */
    INVALID_ARGUMENT,
    /** The backend the object lives on is not installed or not running right now. */
    BACKEND_UNAVAILABLE,
    /** The backend is installed but cannot do this (see its capabilities). */
    UNSUPPORTED,
    /** The object's current state forbids the operation (e.g. deleting a running VM). */
    CONFLICT,
    /** Not enough room: a volume larger than its pool, for example. */
    INSUFFICIENT_CAPACITY,
    /** The backend tried and failed (libvirt, qemu-img, ip ... reported an error). */
    BACKEND_ERROR,
    /** No credentials or token, wrong ones, or an expired or revoked token. Says nothing about which. */
    UNAUTHENTICATED,
    /**
     * Too many failed logins from this client's address: every login from it is refused, even with the right
     * password, until the lockout ends; or the node is already checking as many passwords as it can afford.
     * Distinct from {@link #UNAUTHENTICATED} so a client can say "try again later".
     */
    LOCKED_OUT,
    /**
     * The caller is authenticated but this request is refused as it stands: a web console write without its
     * session's CSRF token, for example.
     */
    PERMISSION_DENIED,
    /** A defect in Quantix itself. */
    INTERNAL
}
