package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-snapshot-delete", description = "Deletes a snapshot and keeps the VM as it is now"
        + " (a disk-only one is merged back into the VM's disks)")
public class VmSnapshotDelete extends VmAction {
    @Argument(index = 1, name = "snapshot", required = true, description = "snapshot name")
    String snapshot;

    @Override
    protected Object run() {
        vms.deleteSnapshot(vm, snapshot);
        System.out.println("VM " + vm + ": snapshot " + snapshot + " deleted");
        return null;
    }
}
