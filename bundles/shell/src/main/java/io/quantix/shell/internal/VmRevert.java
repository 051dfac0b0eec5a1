package io.quantix.shell.internal;

import io.quantix.api.Vm;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-revert", description = "Returns a VM to a snapshot; everything since is lost")
public class VmRevert extends VmAction {
    @Argument(index = 1, name = "snapshot", required = true, description = "snapshot name")
    String snapshot;

    @Override
    protected Object run() {
        Vm now = vms.revert(vm, snapshot);
        System.out.println("VM " + vm + " reverted to snapshot " + snapshot + ": " + now.state());
        return null;
    }
}
