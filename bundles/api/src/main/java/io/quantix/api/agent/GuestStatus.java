package io.quantix.api.agent;

import java.util.List;
import java.util.Objects;

/**
 * What a VM's guest agent says when asked: which agent answered and what the guest reports of itself.
 *
 * @param interfaces the guest's network interfaces with their addresses
 */
public record GuestStatus(AgentInfo agent, GuestOsInfo os, String hostname, List<GuestInterface> interfaces) {
    public GuestStatus {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(hostname, "hostname");
        interfaces = List.copyOf(interfaces);
    }
}
