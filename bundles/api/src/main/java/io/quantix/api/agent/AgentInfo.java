package io.quantix.api.agent;

import java.util.List;
import java.util.Objects;

/**
 * What answered on the VM's agent channel.
 *
 * @param kind which agent
 * @param version the agent's own version string
 * @param commands the commands it has enabled (qemu-guest-agent's names, or the Quantix agent's capabilities:
 *     "exec", "file", "freeze", "password", "shutdown", "time-sync", ...)
 */
public record AgentInfo(Kind kind, String version, List<String> commands) {
    public enum Kind {
        /** QEMU's qemu-guest-agent, as every Linux distribution packages it. */
        QEMU_GUEST_AGENT,
        /** The Quantix guest agent (quantix/agent/v1/agent.proto on org.quantix.agent.0). */
        QUANTIX
    }

    public AgentInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(version, "version");
        commands = List.copyOf(commands);
    }

    public boolean supports(String command) {
        return commands.contains(command);
    }
}
