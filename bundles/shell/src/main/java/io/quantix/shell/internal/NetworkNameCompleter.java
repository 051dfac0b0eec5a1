package io.quantix.shell.internal;

import io.quantix.api.Network;
import io.quantix.api.service.NetworkService;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;

@Service
public class NetworkNameCompleter extends NameCompleter {
    @Reference
    NetworkService networks;

    @Override
    protected Stream<String> names(CommandLine line) {
        return networks.list().stream().map(Network::name);
    }
}
