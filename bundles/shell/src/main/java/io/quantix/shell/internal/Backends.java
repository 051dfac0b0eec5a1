package io.quantix.shell.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.service.NodeService;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "backends", description = "Lists the installed hypervisor, storage and network backends and what each can do")
public class Backends extends QxAction {
    @Reference
    NodeService node;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.column("Kind");
        table.column("Name");
        table.column("Description");
        table.column("Capabilities");
        for (BackendInfo b : node.backends()) {
            table.addRow().addContent(b.kind(), b.name(), b.description(),
                    b.capabilities().stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        }
        table.print(System.out);
        if (node.info().simulated()) {
            System.out.println("SIMULATED: a hypervisor backend runs on a simulator; its VMs are not real guests.");
        }
        return null;
    }
}
