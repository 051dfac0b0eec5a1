package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class DomainXmlTest {
    private static final String NASTY_PATH = "/data/pool-a/a&b<c>'d\"e.qcow2";

    @Test
    void specDisksAndNicsSurviveTheRoundTrip() {
        VmSpec spec = Fixtures.spec("web-1");
        String xml = DomainXml.build(Fixtures.ID, spec, Fixtures.disks("/data/pool-a/root.qcow2"), Fixtures.nics(),
                DomainXml.Type.TEST);

        Vm vm = DomainXml.parse(xml, PowerState.STOPPED).orElseThrow();

        assertEquals(new Vm(Fixtures.ID, spec, PowerState.STOPPED, Fixtures.disks("/data/pool-a/root.qcow2"),
                Fixtures.nics()), vm);
    }

    @Test
    void minimalSpecRoundTripsWithEmptyLists() {
        VmSpec spec = VmSpec.builder("tiny").build();
        String xml = DomainXml.build(Fixtures.ID, spec, List.of(), List.of(), DomainXml.Type.KVM);

        assertEquals(new Vm(Fixtures.ID, spec, PowerState.RUNNING, List.of(), List.of()),
                DomainXml.parse(xml, PowerState.RUNNING).orElseThrow());
    }

    @Test
    void xmlMetacharactersInADiskPathAreEscapedAndRoundTrip() {
        String xml = DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"), Fixtures.disks(NASTY_PATH), Fixtures.nics(),
                DomainXml.Type.TEST);

        assertFalse(xml.contains("a&b<c>"), xml);
        assertTrue(xml.contains("a&amp;b&lt;c&gt;"), xml);
        Element source = (Element) Xml.parse(xml).getElementsByTagName("source").item(0);
        assertEquals(NASTY_PATH, source.getAttribute("file"));
        assertEquals(NASTY_PATH, ((io.quantix.api.DiskSource.File) DomainXml.parse(xml, PowerState.STOPPED)
                .orElseThrow().disks().get(0).source()).path());
    }

    @Test
    void devicesAreWhatLibvirtExpects() {
        Element domain = Xml.parse(DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"),
                Fixtures.disks("/data/pool-a/root.qcow2"), Fixtures.nics(), DomainXml.Type.KVM)).getDocumentElement();

        assertEquals("kvm", domain.getAttribute("type"));
        assertEquals("768", Xml.first(domain, "memory").getTextContent());
        assertEquals("MiB", Xml.first(domain, "memory").getAttribute("unit"));
        Element devices = Xml.first(domain, "devices");
        List<Element> disks = Xml.children(devices, "disk");
        assertEquals("vda", Xml.first(disks.get(0), "target").getAttribute("dev"));
        assertEquals("virtio", Xml.first(disks.get(0), "target").getAttribute("bus"));
        assertEquals("qcow2", Xml.first(disks.get(0), "driver").getAttribute("type"));
        assertEquals("sda", Xml.first(disks.get(1), "target").getAttribute("dev"));
        assertEquals("sata", Xml.first(disks.get(1), "target").getAttribute("bus"));
        assertEquals("raw", Xml.first(disks.get(1), "driver").getAttribute("type"));
        Element nic = Xml.children(devices, "interface").get(1);
        assertEquals("bridge", nic.getAttribute("type"));
        assertEquals("br-dmz", Xml.first(nic, "source").getAttribute("bridge"));
        assertEquals("52:54:00:aa:bb:02", Xml.first(nic, "mac").getAttribute("address"));
        assertEquals("e1000", Xml.first(nic, "model").getAttribute("type"));
        assertEquals("pty", Xml.first(devices, "serial").getAttribute("type"));
        assertEquals("pty", Xml.first(devices, "console").getAttribute("type"));
        Element os = Xml.first(domain, "os");
        assertEquals(List.of("network", "hd"), Xml.children(os, "boot").stream().map(e -> e.getAttribute("dev")).toList());
        assertEquals("q35", Xml.first(os, "type").getAttribute("machine"));
    }

    @Test
    void uefiTurnsSecureBootOff() {
        Element os = osOf(Fixtures.spec("web-1"), DomainXml.Type.TEST);

        assertEquals("efi", os.getAttribute("firmware"));
        List<Element> features = Xml.children(Xml.first(os, "firmware"), "feature");
        assertEquals(List.of("secure-boot=no", "enrolled-keys=no"),
                features.stream().map(f -> f.getAttribute("name") + "=" + f.getAttribute("enabled")).toList());
        assertFalse(Xml.first(os, "type").hasAttribute("machine"), "the test driver has no q35 machine");
    }

    @Test
    void biosHasNoFirmwareElementAndBootsFromDiskByDefault() {
        Element os = osOf(VmSpec.builder("bios").firmware(Firmware.BIOS).build(), DomainXml.Type.QEMU);

        assertFalse(os.hasAttribute("firmware"));
        assertEquals(null, Xml.first(os, "firmware"));
        assertEquals("hd", Xml.first(os, "boot").getAttribute("dev"));
    }

    @Test
    void aDoctypeIsRefused() {
        String xml = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<domain type='test'><name>&x;</name></domain>";

        QuantixException e = assertThrows(QuantixException.class, () -> DomainXml.parse(xml, PowerState.STOPPED));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void aDomainWithoutQuantixMetadataIsNotAQuantixVm() {
        String xml = "<domain type='test'><name>other</name><uuid>" + Fixtures.ID + "</uuid>"
                + "<memory>65536</memory><vcpu>1</vcpu></domain>";

        assertTrue(DomainXml.parse(xml, PowerState.STOPPED).isEmpty());
    }

    @Test
    void anIdThatIsNotAUuidIsRejected() {
        QuantixException e = assertThrows(QuantixException.class, () -> DomainXml.build("not-a-uuid",
                VmSpec.builder("x").build(), List.of(), List.of(), DomainXml.Type.TEST));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    private static Element osOf(VmSpec spec, DomainXml.Type type) {
        return Xml.first(Xml.parse(DomainXml.build(Fixtures.ID, spec, List.of(), List.of(), type)).getDocumentElement(),
                "os");
    }
}
