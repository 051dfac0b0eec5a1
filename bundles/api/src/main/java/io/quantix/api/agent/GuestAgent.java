package io.quantix.api.agent;

import io.quantix.api.QuantixException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * One VM's guest agent. Calls run one at a time (the agent answers strictly in order); each waits at most the
 * agent's call timeout and fails with a {@link QuantixException}: {@code BACKEND_UNAVAILABLE} when the agent does
 * not answer (not running, not installed, or the VM is stopped), {@code UNSUPPORTED} when it lacks the command,
 * {@code BACKEND_ERROR} when it refuses or sends what the protocol does not allow, {@code INVALID_ARGUMENT} for a
 * request that is wrong before it is sent.
 */
public interface GuestAgent extends AutoCloseable {
    /** Returns when the agent answers. */
    void ping();

    /** The agent's version and the commands it has enabled. */
    AgentInfo info();

    GuestOsInfo osInfo();

    String hostname();

    /** The guest's clock. */
    Instant time();

    List<GuestInterface> interfaces();

    /**
     * Runs a program in the guest and waits for it to exit; one still running at the request's timeout is killed
     * ({@link ExecResult#timedOut()}).
     */
    ExecResult exec(ExecRequest request);

    /**
     * Writes {@code content} to a file in the guest (created or truncated), in chunks, then reads it back and
     * compares its SHA-256 with what was sent.
     */
    FileTransfer push(String guestPath, byte[] content);

    /** Reads a file of the guest, refusing one larger than {@code maxBytes} before reading it. */
    GuestFile pull(String guestPath, long maxBytes);

    /** Freezes the guest's filesystems; returns how many. A failed freeze is thawed before the error is thrown. */
    int freeze();

    /** Thaws them; returns how many. */
    int thaw();

    FreezeStatus freezeStatus();

    /**
     * Freezes, runs {@code work} (a snapshot, say) and thaws, also when the freeze or the work fails.
     *
     * @return what {@code work} returned
     */
    <T> T quiesced(Supplier<T> work);

    /** Sets a guest user's password (plain text, hashed by the guest). The password is never logged nor echoed. */
    void setUserPassword(String user, char[] password);

    /** Asks the guest OS to power off, halt or reboot; returns once the request is sent (the agent never answers it). */
    void shutdown(ShutdownMode mode);

    @Override
    void close();
}
