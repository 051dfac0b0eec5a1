package io.quantix.shell.internal;

import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

@Service
@Command(scope = "qx", name = "vm-console", description = "Shows where to reach a VM's console; for VNC and SPICE,"
        + " sets a new one-time password")
public class VmConsole extends VmAction {
    @Option(name = "--type", description = "vnc (default), spice or serial (the serial log, read-only)")
    @Completion(value = StringsCompleter.class, values = {"vnc", "spice", "serial"})
    String type = "vnc";

    @Override
    protected Object run() {
        System.out.println(describe(vm, vms.console(vm, type(type))));
        return null;
    }

    static ConsoleType type(String text) {
        return Choices.of("console type", text, ConsoleType.class);
    }

    /** What a person needs to connect; the password is shown here, to the one who asked, and nowhere else. */
    static String describe(String vm, ConsoleEndpoint endpoint) {
        if (endpoint.type() == ConsoleType.SERIAL) {
            return "Serial console log of VM " + vm + " (read-only, on the node): " + endpoint.path().orElseThrow();
        }
        return endpoint.type() + " console of VM " + vm + ": " + endpoint.host() + ":" + endpoint.port()
                + System.lineSeparator() + "One-time password: " + endpoint.password().orElseThrow()
                + " (valid until " + endpoint.expiresAt().orElseThrow() + ")";
    }
}
