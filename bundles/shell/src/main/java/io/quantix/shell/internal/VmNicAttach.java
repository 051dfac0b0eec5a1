package io.quantix.shell.internal;

import io.quantix.api.AttachedNic;
import io.quantix.api.NicSpec;
import io.quantix.api.Vm;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-nic-attach", description = "Plugs a new NIC on a network into a VM, running or not")
public class VmNicAttach extends VmAction {
    @Argument(index = 1, name = "network", required = true, description = "network name")
    @Completion(NetworkNameCompleter.class)
    String network;

    @Override
    protected Object run() {
        Vm now = vms.attachNic(vm, NicSpec.of(network));
        AttachedNic nic = now.nics().get(now.nics().size() - 1);
        System.out.println("VM " + vm + ": NIC " + nic.mac() + " on " + nic.network() + " attached, port " + nic.portId());
        return null;
    }
}
