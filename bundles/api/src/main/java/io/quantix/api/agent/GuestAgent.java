package io.quantix.api.agent;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * One VM's guest agent. Calls to qemu-guest-agent run one at a time (it answers strictly in order); the Quantix
 * agent has several in flight. Each waits at most the
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
     * {@link #exec(ExecRequest)}, handing each piece of output to {@code listener} as it arrives, besides keeping it
     * in the result. qemu-guest-agent cannot stream: there the listener gets all of it once the program has exited.
     */
    default ExecResult exec(ExecRequest request, ExecListener listener) {
        ExecResult result = exec(request);
        if (result.stdout().length > 0) {
            listener.output(ExecListener.Stream.STDOUT, result.stdout().clone());
        }
        if (result.stderr().length > 0) {
            listener.output(ExecListener.Stream.STDERR, result.stderr().clone());
        }
        return result;
    }

    /** Memory, filesystems, load, uptime and OS of the guest; {@code UNSUPPORTED} from qemu-guest-agent. */
    default GuestTelemetry telemetry() {
        throw new QuantixException(ErrorCode.UNSUPPORTED, "qemu-guest-agent reports no telemetry: the Quantix guest"
                + " agent does");
    }

    /**
     * Sets the guest's clock to the host's (after a resume or a migration); {@code UNSUPPORTED} from an agent
     * without it.
     */
    default void syncTime() {
        throw new QuantixException(ErrorCode.UNSUPPORTED, "this guest agent cannot set the guest's clock");
    }

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
    default <T> T quiesced(Supplier<T> work) {
        freeze();
        T result;
        try {
            result = work.get();
        } catch (RuntimeException | Error e) {
            try {
                thaw();
            } catch (QuantixException t) {
                e.addSuppressed(t);
            }
            throw e;
        }
        thaw();
        return result;
    }

    /** Sets a guest user's password (plain text, hashed by the guest). The password is never logged nor echoed. */
    void setUserPassword(String user, char[] password);

    /** Asks the guest OS to power off, halt or reboot; returns once the request is sent (the agent never answers it). */
    void shutdown(ShutdownMode mode);

    @Override
    void close();
}
