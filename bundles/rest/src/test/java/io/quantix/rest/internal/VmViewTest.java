package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestInterface;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A VM object in REST answers: the node's fields where clients read them, and the guest's addresses beside them. */
class VmViewTest {
    private static final Vm VM = new Vm("3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13", VmSpec.builder("web").build(),
            PowerState.RUNNING, List.of(), List.of(), 42);

    private static JsonNode json(VmView view) throws Exception {
        return Json.mapper().readTree(Json.write(view));
    }

    @Test
    void theGuestsAddressesSitBesideTheVmsOwnFields() throws Exception {
        GuestInterface eth0 = new GuestInterface("eth0", "52:54:00:12:34:56", List.of(
                new GuestAddress(GuestAddress.Family.IPV4, "192.0.2.10", 24),
                new GuestAddress(GuestAddress.Family.IPV6, "fe80::5054:ff:fe12:3456", 64)));
        JsonNode vm = json(VmView.of(VM, Map.of(VM.id(), List.of(eth0))));

        assertEquals(VM.id(), vm.get("id").asText());
        assertEquals("web", vm.get("spec").get("name").asText());
        assertEquals(42, vm.get("version").asLong());
        assertEquals("RUNNING", vm.get("state").asText());
        JsonNode nic = vm.get("guestInterfaces").get(0);
        assertEquals("52:54:00:12:34:56", nic.get("mac").asText());
        assertEquals("192.0.2.10", nic.get("addresses").get(0).get("address").asText());
        assertEquals(24, nic.get("addresses").get(0).get("prefix").asInt());
        assertEquals("IPV6", nic.get("addresses").get(1).get("family").asText());
        assertEquals(List.of("id", "spec", "state", "disks", "nics", "version", "guestInterfaces"),
                iterate(vm.fieldNames()), "no wrapper object, nothing else");
    }

    @Test
    void aVmWhoseAgentNeverAnsweredHasNoGuestInterfaces() throws Exception {
        JsonNode vm = json(VmView.of(VM, Map.of("another-vm", List.of(new GuestInterface("lo", "", List.of())))));
        assertEquals(0, vm.get("guestInterfaces").size());
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> all = new java.util.ArrayList<>();
        names.forEachRemaining(all::add);
        return all;
    }
}
