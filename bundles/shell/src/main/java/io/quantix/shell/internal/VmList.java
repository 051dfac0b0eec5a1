package io.quantix.shell.internal;

import io.quantix.api.Vm;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.VmService;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "vm-list", description = "Lists the VMs on this node")
public class VmList extends QxAction {
    @Reference
    VmService vms;
    @Reference
    NodeService node;
    @Reference
    GuestAgentService agents;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no VMs: create one with qx:vm-create");
        for (String c : new String[] {"Name", "State", "Hypervisor", "vCPUs", "Memory", "Disks", "NICs", "Tags", "Guest IPs", "Version"}) {
            table.column(c);
        }
        // as the agents last reported them: the list asks no agent
        Map<String, List<GuestInterface>> guests = agents.lastInterfaces();
        for (Vm vm : vms.list()) {
            table.addRow().addContent(vm.name(), vm.state(), vm.spec().hypervisor(), vm.spec().vcpus(),
                    Format.mib(vm.spec().memoryMiB()), vm.disks().size(), vm.nics().size(),
                    String.join(",", vm.spec().tags()),
                    AgentAction.addresses(guests.getOrDefault(vm.id(), List.of())), vm.version());
        }
        table.print(System.out);
        // Domains made outside Quantix would otherwise be invisible, yet they use the host and their names.
        List<String> unmanaged = node.unmanagedDomains();
        if (!unmanaged.isEmpty()) {
            System.out.println("unmanaged domains (not touched by Quantix): " + String.join(", ", unmanaged));
        }
        return null;
    }
}
