package io.quantix.api.agent;

import java.util.Objects;

/**
 * The guest's operating system as its agent reports it; a field the agent leaves out is "".
 *
 * @param id the os-release ID ("debian")
 * @param prettyName the os-release PRETTY_NAME
 * @param version the os-release VERSION_ID
 * @param kernelRelease uname -r
 * @param machine uname -m
 */
public record GuestOsInfo(String id, String prettyName, String version, String kernelRelease, String machine) {
    public GuestOsInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prettyName, "prettyName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kernelRelease, "kernelRelease");
        Objects.requireNonNull(machine, "machine");
    }
}
