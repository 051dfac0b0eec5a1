package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.BootDevice;
import io.quantix.api.DirectBoot;
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
                DomainXml.Type.TEST, Fixtures.RUN_DIR);

        Vm vm = DomainXml.parse(xml, PowerState.STOPPED).orElseThrow();

        assertEquals(new Vm(Fixtures.ID, spec, PowerState.STOPPED, Fixtures.disks("/data/pool-a/root.qcow2"),
                Fixtures.nics()), vm);
    }

    @Test
    void minimalSpecRoundTripsWithEmptyLists() {
        VmSpec spec = VmSpec.builder("tiny").build();
        String xml = DomainXml.build(Fixtures.ID, spec, List.of(), List.of(), DomainXml.Type.KVM, Fixtures.RUN_DIR);

        assertEquals(new Vm(Fixtures.ID, spec, PowerState.RUNNING, List.of(), List.of()),
                DomainXml.parse(xml, PowerState.RUNNING).orElseThrow());
    }

    @Test
    void xmlMetacharactersInADiskPathAreEscapedAndRoundTrip() {
        String xml = DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"), Fixtures.disks(NASTY_PATH), Fixtures.nics(),
                DomainXml.Type.TEST, Fixtures.RUN_DIR);

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
                Fixtures.disks("/data/pool-a/root.qcow2"), Fixtures.nics(), DomainXml.Type.KVM, Fixtures.RUN_DIR))
                .getDocumentElement();

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
        Element serial = Xml.first(devices, "serial");
        assertEquals("file", serial.getAttribute("type"));
        assertEquals("/var/lib/quantix/run/" + Fixtures.ID + ".serial.log",
                Xml.first(serial, "source").getAttribute("path"));
        assertEquals(List.of("org.quantix.agent.0=/var/lib/quantix/run/" + Fixtures.ID + ".agent.sock",
                "org.qemu.guest_agent.0=/var/lib/quantix/run/" + Fixtures.ID + ".qga.sock"),
                Xml.children(devices, "channel").stream().map(DomainXmlTest::channel).toList());
        Element os = Xml.first(domain, "os");
        assertEquals(List.of("network", "hd"), Xml.children(os, "boot").stream().map(e -> e.getAttribute("dev")).toList());
        assertEquals("q35", Xml.first(os, "type").getAttribute("machine"));
    }

    @Test
    void theTestDriverKeepsAPtyConsoleAndGetsTheChannelsToo() {
        Element devices = Xml.first(Xml.parse(DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"), List.of(), List.of(),
                DomainXml.Type.TEST, Fixtures.RUN_DIR)).getDocumentElement(), "devices");

        assertEquals("pty", Xml.first(devices, "serial").getAttribute("type"));
        assertEquals("pty", Xml.first(devices, "console").getAttribute("type"));
        assertEquals(2, Xml.children(devices, "channel").size());
    }

    @Test
    void directBootWritesLibvirtsKernelFieldsAndRoundTrips() {
        DirectBoot boot = new DirectBoot("/srv/k&<>/vmlinuz", "/srv/k&<>/initrd.gz", "console=ttyS0 x=a&b<c>");
        VmSpec spec = VmSpec.builder("appliance").memoryMiB(256).directBoot(boot).boot(BootDevice.DISK).build();
        String xml = DomainXml.build(Fixtures.ID, spec, List.of(), List.of(), DomainXml.Type.QEMU, Fixtures.RUN_DIR);

        Element os = Xml.first(Xml.parse(xml).getDocumentElement(), "os");
        assertEquals("/srv/k&<>/vmlinuz", Xml.first(os, "kernel").getTextContent());
        assertEquals("/srv/k&<>/initrd.gz", Xml.first(os, "initrd").getTextContent());
        assertEquals("console=ttyS0 x=a&b<c>", Xml.first(os, "cmdline").getTextContent());
        assertTrue(Xml.children(os, "boot").isEmpty(), "a kernel boot has no boot devices");
        assertEquals(new Vm(Fixtures.ID, spec, PowerState.STOPPED, List.of(), List.of()),
                DomainXml.parse(xml, PowerState.STOPPED).orElseThrow());
    }

    @Test
    void anEmptyCommandLineLibvirtDroppedReadsBackAsEmpty() {
        String xml = DomainXml.build(Fixtures.ID, VmSpec.builder("k").directBoot(new DirectBoot("/k", "/i", "")).build(),
                List.of(), List.of(), DomainXml.Type.QEMU, Fixtures.RUN_DIR).replaceAll("<cmdline\\s*/>|<cmdline></cmdline>", "");

        assertFalse(xml.contains("cmdline"), xml);
        assertEquals("", DomainXml.parse(xml, PowerState.STOPPED).orElseThrow().spec().directBoot().orElseThrow().cmdline());
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
    void secureBootAsksForItAndForEnrolledKeysAndReadsBack() {
        VmSpec spec = VmSpec.builder("sb").firmware(Firmware.UEFI_SECURE_BOOT).build();
        String xml = DomainXml.build(Fixtures.ID, spec, List.of(), List.of(), DomainXml.Type.QEMU, Fixtures.RUN_DIR);
        Element os = Xml.first(Xml.parse(xml).getDocumentElement(), "os");

        assertEquals("efi", os.getAttribute("firmware"));
        assertEquals(List.of("secure-boot=yes", "enrolled-keys=yes"), Xml.children(Xml.first(os, "firmware"), "feature")
                .stream().map(f -> f.getAttribute("name") + "=" + f.getAttribute("enabled")).toList());
        assertEquals(spec, DomainXml.parse(xml, PowerState.STOPPED).orElseThrow().spec());
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
                VmSpec.builder("x").build(), List.of(), List.of(), DomainXml.Type.TEST, Fixtures.RUN_DIR));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    private static String channel(Element channel) {
        return Xml.first(channel, "target").getAttribute("name") + "=" + Xml.first(channel, "source").getAttribute("path");
    }

    @Test
    void aDataDirectoryTooLongForTheChannelSocketsIsRefusedWithTheFix() {
        java.nio.file.Path deep = java.nio.file.Path.of("/" + "d".repeat(80));
        io.quantix.api.QuantixException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.quantix.api.QuantixException.class,
                () -> DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"), List.of(), List.of(), DomainXml.Type.KVM, deep));
        org.junit.jupiter.api.Assertions.assertEquals(io.quantix.api.ErrorCode.INVALID_ARGUMENT, e.code());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("QUANTIX_DATA_DIR"), e.getMessage());
    }

    private static Element osOf(VmSpec spec, DomainXml.Type type) {
        return Xml.first(Xml.parse(DomainXml.build(Fixtures.ID, spec, List.of(), List.of(), type, Fixtures.RUN_DIR))
                .getDocumentElement(), "os");
    }
}
