package io.quantix.api.agent;

import java.util.List;
import java.util.Objects;

/**
 * What answered on the VM's agent channel.
 *
 * @param kind which agent
 * @param version the agent's own version string
 * @param commands the commands it has enabled
 */
public record AgentInfo(Kind kind, String version, List<String> commands) {
    public enum Kind {
        /** QEMU's qemu-guest-agent, as every Linux distribution packages it. */
        QEMU_GUEST_AGENT
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
