package io.quantix.shell.internal;

import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.service.GuestAgentService;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A qx:vm-* command that talks to the VM's guest agent. */
abstract class AgentAction extends VmAction {
    @Reference
    GuestAgentService agents;

    /** The guest's addresses for people, loopback left out: "192.0.2.10/24, 2001:db8::10/64". */
    static String addresses(List<GuestInterface> interfaces) {
        return interfaces.stream().flatMap(i -> i.addresses().stream())
                .filter(a -> !a.address().startsWith("127.") && !a.address().equals("::1"))
                .map(AgentAction::address).collect(Collectors.joining(", "));
    }

    static String address(GuestAddress a) {
        return a.address() + "/" + a.prefix();
    }
}
