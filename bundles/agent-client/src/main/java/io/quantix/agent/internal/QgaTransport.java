package io.quantix.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/** Carries guest-agent commands to one VM's agent and brings back its replies, one command at a time. */
interface QgaTransport extends AutoCloseable {
    /**
     * Sends a command and waits for its reply: the whole reply object ({@code return} or {@code error}).
     *
     * @throws io.quantix.api.QuantixException BACKEND_UNAVAILABLE when no reply comes in time, BACKEND_ERROR for a
     *     malformed one
     */
    ObjectNode call(String command, ObjectNode arguments, Duration timeout);

    /** Sends a command the agent never answers on success (guest-shutdown). */
    void send(String command, ObjectNode arguments, Duration timeout);

    @Override
    void close();
}
