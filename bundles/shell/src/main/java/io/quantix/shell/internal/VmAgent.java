package io.quantix.shell.internal;

import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.GuestOsInfo;
import io.quantix.api.agent.GuestStatus;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "vm-agent", description = "Asks a VM's guest agent which it is, what it supports, and the"
        + " guest's OS, host name and network interfaces")
public class VmAgent extends AgentAction {
    @Override
    protected Object run() {
        GuestStatus status = agents.status(vm);
        GuestOsInfo os = status.os();
        System.out.println("agent:      " + status.agent().kind() + " " + status.agent().version());
        System.out.println("supports:   " + status.agent().commands().size() + " commands: "
                + String.join(" ", status.agent().commands()));
        System.out.println("OS:         " + (os.prettyName().isEmpty() ? os.id() : os.prettyName()) + " (kernel "
                + os.kernelRelease() + ", " + os.machine() + ")");
        System.out.println("hostname:   " + status.hostname());
        ShellTable table = new ShellTable();
        table.emptyTableText("the agent reports no network interfaces");
        table.column("Interface");
        table.column("MAC");
        table.column("Addresses");
        for (GuestInterface nic : status.interfaces()) {
            table.addRow().addContent(nic.name(), nic.mac().isEmpty() ? "-" : nic.mac(),
                    nic.addresses().stream().map(AgentAction::address).collect(Collectors.joining(", ")));
        }
        table.print(System.out);
        return null;
    }
}
