package io.quantix.shell.internal;

import io.quantix.api.NetworkPort;
import io.quantix.api.service.NetworkService;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "port-list", description = "Lists the network ports of VMs' NICs, with their addresses")
public class PortList extends QxAction {
    @Reference
    NetworkService networks;

    @Argument(name = "network", description = "only this network")
    @Completion(NetworkNameCompleter.class)
    String network;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no ports");
        for (String c : new String[] {"Network", "VM", "MAC", "Address", "Port"}) {
            table.column(c);
        }
        for (NetworkPort p : networks.ports(Optional.ofNullable(network))) {
            table.addRow().addContent(p.network(), p.vm(), p.mac(), p.address().orElse(""), p.portId());
        }
        table.print(System.out);
        return null;
    }
}
