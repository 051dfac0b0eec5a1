package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-autostart", description = "Makes a VM start by itself when the node starts,"
        + " or no longer with --off")
public class VmAutostart extends VmAction {
    @Option(name = "--off", description = "no longer start the VM with the node")
    boolean off;

    @Override
    protected Object run() {
        vms.setAutostart(vm, !off);
        // Read back: what the hypervisor now holds, not what was asked.
        System.out.println("VM " + vm + (vms.autostart(vm) ? " starts" : " does not start") + " when the node starts");
        return null;
    }
}
