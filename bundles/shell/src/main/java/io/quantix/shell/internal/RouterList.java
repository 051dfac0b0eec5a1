package io.quantix.shell.internal;

import io.quantix.api.Router;
import io.quantix.api.service.RouterService;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "router-list", description = "Lists routers with their uplink, floating IPs and load balancers")
public class RouterList extends QxAction {
    @Reference
    RouterService routers;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no routers: create one with qx:router-create");
        for (String c : new String[] {"Name", "Networks", "Uplink", "Floating IPs", "Load balancers"}) {
            table.column(c);
        }
        for (Router r : routers.list()) {
            table.addRow().addContent(r.name(), String.join(", ", r.networks()),
                    r.uplink().map(u -> u.network() + " " + u.address() + (u.snat() ? " (SNAT)" : "")).orElse(""),
                    r.floatingIps().stream().map(f -> f.address() + "=" + f.vm()).collect(Collectors.joining(", ")),
                    r.loadBalancers().stream().map(l -> l.name() + " " + l.protocolName() + " " + l.vip() + ":" + l.port()
                            + " -> " + l.members().stream().map(Router.Member::toString).collect(Collectors.joining(",")))
                            .collect(Collectors.joining("; ")));
        }
        table.print(System.out);
        return null;
    }
}
