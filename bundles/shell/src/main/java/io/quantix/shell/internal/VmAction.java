package io.quantix.shell.internal;

import io.quantix.api.service.VmService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A qx:vm-* command: it acts on one VM, named by its first argument (completed with the node's VM names). */
abstract class VmAction extends QxAction {
    @Reference
    VmService vms;

    @Argument(index = 0, name = "vm", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String vm;
}
