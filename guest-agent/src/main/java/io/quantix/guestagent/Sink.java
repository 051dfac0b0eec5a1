package io.quantix.guestagent;

import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.Error;

/** Where the answers to one host connection's requests go. */
interface Sink {
    /** Sends it, or drops it when the host is gone (what a request started keeps running to its end). */
    void send(AgentMessage message);

    default void error(long id, AgentError e) {
        send(AgentMessage.newBuilder().setId(id)
                .setError(Error.newBuilder().setCode(e.code()).setMessage(e.getMessage())).build());
    }
}
