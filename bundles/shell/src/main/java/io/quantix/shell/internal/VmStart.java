package io.quantix.shell.internal;

import io.quantix.api.PowerAction;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-start", description = "Starts a VM")
public class VmStart extends VmPower {
    @Override
    protected PowerAction action() {
        return PowerAction.START;
    }
}
