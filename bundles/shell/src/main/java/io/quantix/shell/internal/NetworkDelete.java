package io.quantix.shell.internal;

import io.quantix.api.service.NetworkService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "network-delete", description = "Deletes a network no VM uses")
public class NetworkDelete extends QxAction {
    @Reference
    NetworkService networks;

    @Argument(name = "name", required = true, description = "network name")
    @Completion(NetworkNameCompleter.class)
    String name;

    @Override
    protected Object run() {
        networks.delete(name);
        System.out.println("network " + name + " deleted");
        return null;
    }
}
