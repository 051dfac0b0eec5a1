package io.quantix.shell.internal;

import io.quantix.api.Vm;
import io.quantix.api.VolumeRef;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-disk-attach", description = "Plugs a new volume (POOL:SIZE) or an existing one (POOL/VOLUME,"
        + " e.g. a clone of a template) into a VM, running or not")
public class VmDiskAttach extends VmAction {
    @Argument(index = 1, name = "disk", required = true, description = "a new disk POOL:SIZE[:qcow2|raw], e.g. default:10G (without a format the pool's own: qcow2, or raw where the pool has no qcow2), or an existing volume POOL/VOLUME")
    String disk;

    @Override
    protected Object run() {
        int slash = disk.indexOf('/');
        Vm now = slash > 0 ? vms.attachVolume(vm, new VolumeRef(disk.substring(0, slash), disk.substring(slash + 1)))
                : vms.attachDisk(vm, VmCreate.disk(disk));
        System.out.println("VM " + vm + ": disk " + now.disks().get(now.disks().size() - 1).volume() + " attached");
        return null;
    }
}
