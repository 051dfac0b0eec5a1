package io.quantix.shell.internal;

import io.quantix.api.PowerAction;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-stop", description = "Asks a VM's guest to shut down (ACPI), or pulls the plug with --force")
public class VmStop extends VmPower {
    @Option(name = "--force", aliases = "-f", description = "power off at once, like pulling the plug")
    boolean force;

    @Override
    protected PowerAction action() {
        return force ? PowerAction.FORCE_STOP : PowerAction.SHUTDOWN;
    }
}
