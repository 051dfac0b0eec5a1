package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Capability;
import io.quantix.api.ConsoleType;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.spi.DefineOptions;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** The graphics and seed CD-ROM a qemu/kvm domain gets; the real guest's side is in LibvirtConsolesIT. */
class ConsoleAndSeedXmlTest {
    private static final String SEED = "/var/lib/quantix/cloud-init/" + Fixtures.ID + ".iso";

    @TempDir
    Path dir;

    @Test
    void aQemuDomainHasVncAndSpiceOnLoopbackLockedByAnExpiredPassword() {
        List<Element> graphics = Xml.children(devices(build(DomainXml.Type.KVM)), "graphics");

        assertEquals(List.of("vnc", "spice"), graphics.stream().map(g -> g.getAttribute("type")).toList());
        for (Element g : graphics) {
            assertEquals("yes", g.getAttribute("autoport"));
            assertEquals("127.0.0.1", Xml.first(g, "listen").getAttribute("address"));
            assertFalse(g.getAttribute("passwd").isEmpty(), "QEMU takes a password later only if it started with one");
            assertEquals("1970-01-01T00:00:00", g.getAttribute("passwdValidTo"));
        }
        assertTrue(Xml.children(devices(build(DomainXml.Type.TEST)), "graphics").isEmpty());
    }

    @Test
    void theSeedIsAReadOnlySataCdromOnATargetNoOtherDiskUses() {
        Element devices = devices(SeedDrive.attach(build(DomainXml.Type.KVM), SEED));

        Element seed = Xml.children(devices, "disk").stream()
                .filter(d -> Xml.first(d, "alias") != null && SeedDrive.ALIAS.equals(Xml.first(d, "alias").getAttribute("name")))
                .findFirst().orElseThrow();
        assertEquals("cdrom", seed.getAttribute("device"));
        assertEquals(SEED, Xml.first(seed, "source").getAttribute("file"));
        assertEquals("sata", Xml.first(seed, "target").getAttribute("bus"));
        assertTrue(Xml.first(seed, "readonly") != null);
        Set<String> targets = new HashSet<>();
        for (Element disk : Xml.children(devices, "disk")) {
            assertTrue(targets.add(Xml.first(disk, "target").getAttribute("dev")), "target used twice: " + targets);
        }
    }

    @Test
    void aSeededVmIsTheSameVmAndItsDomainCarriesTheCdrom() {
        LibvirtBackend backend = new LibvirtBackend();
        backend.open(ConnectionTarget.testNode(dir.resolve("node.xml")));
        try {
            Vm vm = backend.define(Fixtures.ID, Fixtures.spec("web-1"), Fixtures.disks("/data/a.qcow2"), Fixtures.nics(),
                    new DefineOptions(Optional.of(SEED)));

            assertEquals(new Vm(Fixtures.ID, Fixtures.spec("web-1"), PowerState.STOPPED, Fixtures.disks("/data/a.qcow2"),
                    Fixtures.nics()), vm);
            assertTrue(backend.capabilities().contains(Capability.CLOUD_INIT));
            assertFalse(backend.capabilities().contains(Capability.CONSOLE), "the test driver runs no display");
            assertEquals(ErrorCode.UNSUPPORTED, assertThrows(QuantixException.class,
                    () -> backend.console("web-1", ConsoleType.VNC)).code());
        } finally {
            backend.close();
        }
    }

    private static String build(DomainXml.Type type) {
        return DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"), Fixtures.disks("/data/a.qcow2"), Fixtures.nics(), type,
                Fixtures.RUN_DIR);
    }

    private static Element devices(String xml) {
        return Xml.first(Xml.parse(xml).getDocumentElement(), "devices");
    }
}
