package io.quantix.shell.internal;

import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.NodeState;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * Every VM of the cluster with its node. A command of its own rather than {@code qx:vm-list --cluster}: vm-list answers
 * from this node's engine and works without the cluster feature, this one answers from the members' records (a node that
 * is down still shows its VMs) and, like every cluster command, says how to install the feature when it is missing.
 */
@Service
@Command(scope = "qx", name = "cluster-vms", description = "Lists every VM of the cluster with the node that owns it")
public class ClusterVms extends ClusterAction {
    @Override
    protected Object run() {
        List<ClusterVm> vms = cluster().vms();
        ShellTable table = new ShellTable();
        table.emptyTableText("no VMs in the cluster");
        for (String c : new String[] {"Name", "Node", "Node state", "State", "Hypervisor", "vCPUs", "Memory", "Version", "Id"}) {
            table.column(c);
        }
        for (ClusterVm vm : vms) {
            table.addRow().addContent(vm.name() + (vm.nameClash().isEmpty() ? "" : " !"), vm.nodeName(),
                    vm.nodeState() == NodeState.ONLINE ? "online" : "UNREACHABLE", vm.state(), vm.hypervisor(), vm.vcpus(),
                    Format.mib(vm.memoryMiB()), vm.version(), vm.id());
        }
        table.print(System.out);
        List<String> clashes = vms.stream().filter(vm -> !vm.nameClash().isEmpty()).map(ClusterVm::name).distinct().toList();
        if (!clashes.isEmpty()) {
            System.out.println("! the name is used on more than one node (rename one of them): " + String.join(", ", clashes));
        }
        return null;
    }
}
