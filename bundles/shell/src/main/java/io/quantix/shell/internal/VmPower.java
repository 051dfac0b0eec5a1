package io.quantix.shell.internal;

import io.quantix.api.PowerAction;
import io.quantix.api.Vm;

/** The power commands differ only in the action they ask for. */
abstract class VmPower extends VmAction {
    protected abstract PowerAction action();

    @Override
    protected Object run() {
        Vm now = vms.power(vm, action());
        System.out.println("VM " + now.name() + ": " + now.state());
        return null;
    }
}
