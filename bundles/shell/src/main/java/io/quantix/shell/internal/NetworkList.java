package io.quantix.shell.internal;

import io.quantix.api.Network;
import io.quantix.api.service.NetworkService;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "network-list", description = "Lists networks")
public class NetworkList extends QxAction {
    @Reference
    NetworkService networks;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no networks: create one with qx:network-create");
        for (String c : new String[] {"Name", "Driver", "Type", "CIDR", "Status", "Message"}) {
            table.column(c);
        }
        for (Network n : networks.list()) {
            table.addRow().addContent(n.name(), n.spec().driver(), n.spec().type(), n.spec().cidr().orElse(""),
                    n.status(), n.message().orElse(""));
        }
        table.print(System.out);
        return null;
    }
}
