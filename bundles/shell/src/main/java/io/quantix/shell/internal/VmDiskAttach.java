package io.quantix.shell.internal;

import io.quantix.api.Vm;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-disk-attach", description = "Creates a volume and plugs it into a VM, running or not")
public class VmDiskAttach extends VmAction {
    @Argument(index = 1, name = "disk", required = true, description = "the new disk: POOL:SIZE[:qcow2|raw], e.g. default:10G")
    String disk;

    @Override
    protected Object run() {
        Vm now = vms.attachDisk(vm, VmCreate.disk(disk));
        System.out.println("VM " + vm + ": disk " + now.disks().get(now.disks().size() - 1).volume() + " attached");
        return null;
    }
}
