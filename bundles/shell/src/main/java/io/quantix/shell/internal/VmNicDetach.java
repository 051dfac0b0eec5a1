package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-nic-detach", description = "Unplugs a NIC from a VM and deletes its network port")
public class VmNicDetach extends VmAction {
    @Argument(index = 1, name = "port", required = true, description = "the NIC's port id, as qx:vm-list shows it")
    String port;

    @Override
    protected Object run() {
        vms.detachNic(vm, port);
        System.out.println("VM " + vm + ": NIC on port " + port + " detached");
        return null;
    }
}
