package io.quantix.shell.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.BackendKind;
import io.quantix.api.service.NodeService;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;

/** Installed backends of the kind the command deals with (pool-*: storage, network-*: network, else hypervisor). */
@Service
public class BackendNameCompleter extends NameCompleter {
    @Reference
    NodeService node;

    @Override
    protected Stream<String> names(CommandLine line) {
        String command = line.getArguments().length > 0 ? line.getArguments()[0] : "";
        BackendKind kind = command.contains("pool") ? BackendKind.STORAGE
                : command.contains("network") ? BackendKind.NETWORK : BackendKind.HYPERVISOR;
        return node.backends().stream().filter(b -> b.kind() == kind).map(BackendInfo::name);
    }
}
