package io.quantix.shell.internal;

import io.quantix.api.service.VmService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-delete", description = "Deletes a stopped VM and, unless --keep-volumes, the volumes made for it")
public class VmDelete extends QxAction {
    @Reference
    VmService vms;

    @Argument(name = "name", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String name;

    @Option(name = "--keep-volumes", description = "keep its volumes in their pools")
    boolean keepVolumes;

    @Override
    protected Object run() {
        vms.delete(name, !keepVolumes);
        System.out.println("VM " + name + " deleted" + (keepVolumes ? "; its volumes are kept" : " with its volumes"));
        return null;
    }
}
