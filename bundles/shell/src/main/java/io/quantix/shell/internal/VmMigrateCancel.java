package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-migrate-cancel", description = "Stops a VM's running migration; the VM keeps running here")
public class VmMigrateCancel extends VmAction {

    @Override
    protected Object run() {
        vms.cancelMigration(vm);
        System.out.println("VM " + vm + ": migration cancelled");
        return null;
    }
}
