package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-delete", description = "Deletes a stopped VM and, unless --keep-volumes, the volumes made for it")
public class VmDelete extends VmAction {
    @Option(name = "--keep-volumes", description = "keep its volumes in their pools")
    boolean keepVolumes;

    @Override
    protected Object run() {
        vms.delete(vm, !keepVolumes);
        System.out.println("VM " + vm + " deleted" + (keepVolumes ? "; its volumes are kept" : " with its volumes"));
        return null;
    }
}
