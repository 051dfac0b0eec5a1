package io.quantix.rest.internal;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.quantix.api.Vm;
import io.quantix.api.agent.GuestInterface;
import java.util.List;
import java.util.Map;

/**
 * A VM as REST shows it: the node's record, with the guest's interfaces and addresses as its agent last reported
 * them ({@code guestInterfaces}, empty until an agent has answered). The addresses come from the guest, not from the
 * node: they do not change the VM's version.
 */
record VmView(@JsonUnwrapped Vm vm, List<GuestInterface> guestInterfaces) {
    VmView {
        guestInterfaces = List.copyOf(guestInterfaces);
    }

    static VmView of(Vm vm, Map<String, List<GuestInterface>> guests) {
        return new VmView(vm, guests.getOrDefault(vm.id(), List.of()));
    }
}
