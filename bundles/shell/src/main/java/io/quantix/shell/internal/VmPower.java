package io.quantix.shell.internal;

import io.quantix.api.PowerAction;
import io.quantix.api.Vm;
import io.quantix.api.service.VmService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** The power commands differ only in the action they ask for. */
abstract class VmPower extends QxAction {
    @Reference
    VmService vms;

    @Argument(name = "name", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String name;

    protected abstract PowerAction action();

    @Override
    protected Object run() {
        Vm vm = vms.power(name, action());
        System.out.println("VM " + vm.name() + ": " + vm.state());
        return null;
    }
}
