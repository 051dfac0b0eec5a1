package io.quantix.api.service;

import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FileTransfer;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.GuestStatus;
import io.quantix.api.agent.ShutdownMode;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The guest agents of this node's VMs, by VM name: what the shell, REST and gRPC call. Input is checked before any
 * agent is asked ({@link io.quantix.api.agent.GuestInput}). Besides the codes of
 * {@link io.quantix.api.agent.GuestAgent}: NOT_FOUND for an unknown VM; UNSUPPORTED for a VM whose hypervisor has
 * no guest agent channel (a simulated node, a backend no agent client serves); BACKEND_UNAVAILABLE when its
 * hypervisor backend is not installed or the agent does not answer.
 */
public interface GuestAgentService {
    /** Asks the agent which it is, what it supports, and what the guest reports of itself. */
    GuestStatus status(String vm);

    /** Runs a program in the guest, killed at the request's timeout. */
    ExecResult exec(String vm, ExecRequest request);

    /**
     * Copies a host file (under the folders API clients may name on this node) into the guest, checked by
     * SHA-256 on both ends.
     */
    FileTransfer push(String vm, String hostPath, String guestPath);

    /**
     * Copies a guest file to a new host file (under the folders API clients may name): ALREADY_EXISTS rather than
     * overwrite one, and nothing is left on the host if the copy fails.
     */
    FileTransfer pull(String vm, String guestPath, String hostPath);

    /** Freezes the guest's filesystems (for a consistent snapshot); returns how many. */
    int freeze(String vm);

    /** Thaws them; returns how many. */
    int thaw(String vm);

    /**
     * Runs {@code work} (a snapshot, say) with the guest's filesystems frozen, and thaws them when it returns or
     * throws. The agent's error is thrown before {@code work} runs when it cannot freeze.
     *
     * @return what {@code work} returned
     */
    <T> T quiesced(String vm, Supplier<T> work);

    /** Sets the guest's clock to the host's, as after a resume or a migration. */
    void syncTime(String vm);

    /** Asks the guest OS through its agent to power off, halt or reboot; it decides when it is done. */
    void shutdown(String vm, ShutdownMode mode);

    /** Sets a guest user's password; the password is never logged nor echoed, and the caller may clear it after. */
    void setPassword(String vm, String user, char[] password);

    /**
     * Each VM's guest interfaces as its agent last reported them (when asked, or at the node's periodic refresh),
     * by VM id, without asking any agent: memory-speed, for VM lists. A VM whose agent never answered is absent.
     */
    Map<String, List<GuestInterface>> lastInterfaces();
}
