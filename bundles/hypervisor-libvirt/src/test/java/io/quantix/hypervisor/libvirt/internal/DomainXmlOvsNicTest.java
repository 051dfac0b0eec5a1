package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.AttachedNic;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerState;
import io.quantix.api.VmSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** A NIC on an Open vSwitch bridge (OVN's br-int): what libvirt needs to plug it, and back. */
class DomainXmlOvsNicTest {
    private static final String PORT = "3f2b9c1e-5a7d-4e8f-9b0a-1c2d3e4f5a6b";

    @Test
    void anOvsNicCarriesItsInterfaceIdInAnOpenvswitchVirtualportAndRoundTrips() {
        AttachedNic nic = new AttachedNic("tenant", PORT, "52:54:00:aa:bb:07", NicModel.VIRTIO,
                new NicBinding.OpenVSwitch("br-int", PORT));
        VmSpec spec = VmSpec.builder("ovs-vm").build();
        String xml = DomainXml.build(Fixtures.ID, spec, List.of(), List.of(nic), DomainXml.Type.KVM, Fixtures.RUN_DIR);

        Element iface = Xml.children(Xml.first(Xml.parse(xml).getDocumentElement(), "devices"), "interface").get(0);
        assertEquals("bridge", iface.getAttribute("type"));
        assertEquals("br-int", Xml.first(iface, "source").getAttribute("bridge"));
        Element virtualport = Xml.first(iface, "virtualport");
        assertEquals("openvswitch", virtualport.getAttribute("type"));
        assertEquals(PORT, Xml.first(virtualport, "parameters").getAttribute("interfaceid"));

        assertEquals(List.of(nic), DomainXml.parse(xml, PowerState.STOPPED).orElseThrow().nics());
    }
}
