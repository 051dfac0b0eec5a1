package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.VolumeRef;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.xml.XMLConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Device XML for hot-plug and the edits of a domain's Quantix metadata ({@code <qx:vm>}) that go with it: a
 * device libvirt plugs in must be recorded there, or {@link DomainXml#parse} would not show it.
 */
final class DeviceXml {
    /**
     * libvirt user alias ({@code ua-} prefix) of the CD-ROM drive that takes ISO media, so it is found whatever
     * other CD-ROMs (a cloud-init seed) the domain has.
     */
    static final String MEDIA_ALIAS = "ua-qx-media";
    /** PCIe root ports left free for hot-plugged virtio disks and NICs: q35 has no other place to plug them. */
    static final int SPARE_PORTS = 8;
    /** PCIe devices libvirt adds to every qemu domain besides disks and NICs: virtio-serial, balloon, USB. */
    private static final int BUILT_IN_PCI_DEVICES = 3;

    private DeviceXml() {
    }

    /** An empty read-only SATA CD-ROM: SATA drives cannot be hot-plugged, so the drive is there from the start. */
    static void addMediaDrive(Element devices) {
        Element cdrom = Xml.child(devices, "disk");
        cdrom.setAttribute("type", "file");
        cdrom.setAttribute("device", "cdrom");
        Element driver = Xml.child(cdrom, "driver");
        driver.setAttribute("name", "qemu");
        driver.setAttribute("type", "raw");
        Element target = Xml.child(cdrom, "target");
        target.setAttribute("dev", freeTarget(devices, DiskBus.SATA));
        target.setAttribute("bus", "sata");
        Xml.child(cdrom, "readonly");
        Xml.child(cdrom, "alias").setAttribute("name", MEDIA_ALIAS);
    }

    /**
     * libvirt gives each PCIe device of a q35 domain a root port of its own and none to spare, so without these
     * nothing could be hot-plugged. Counted from the devices at definition, so the spare ones stay free.
     */
    static void addHotplugPorts(Element devices, List<AttachedDisk> disks, List<AttachedNic> nics) {
        long used = disks.stream().filter(d -> d.bus() == DiskBus.VIRTIO).count() + nics.size() + BUILT_IN_PCI_DEVICES;
        // without indexes libvirt would number the first port 0, the index only the root complex may have
        Element root = Xml.child(devices, "controller");
        root.setAttribute("type", "pci");
        root.setAttribute("index", "0");
        root.setAttribute("model", "pcie-root");
        for (long i = 1; i <= used + SPARE_PORTS; i++) {
            Element port = Xml.child(devices, "controller");
            port.setAttribute("type", "pci");
            port.setAttribute("index", Long.toString(i));
            port.setAttribute("model", "pcie-root-port");
        }
    }

    /** The first target name of the bus's kind (vdX or sdX) that no disk or CD-ROM of the domain uses. */
    static String freeTarget(String domainXml, DiskBus bus) {
        return freeTarget(devices(domainXml), bus);
    }

    private static String freeTarget(Element devices, DiskBus bus) {
        Set<String> used = new HashSet<>();
        for (Element disk : Xml.children(devices, "disk")) {
            Element target = Xml.first(disk, "target");
            if (target != null) {
                used.add(target.getAttribute("dev"));
            }
        }
        String prefix = bus == DiskBus.VIRTIO ? "vd" : "sd";
        for (char c = 'a'; c <= 'z'; c++) {
            if (!used.contains(prefix + c)) {
                return prefix + c;
            }
        }
        throw new QuantixException(ErrorCode.CONFLICT, "the VM has no free " + prefix + "X disk name left");
    }

    static String disk(AttachedDisk disk, String target) {
        Document doc = Xml.newDocument();
        Element element = doc.createElementNS(null, "disk");
        doc.appendChild(element);
        DomainXml.writeDisk(element, disk, target);
        return Xml.serialize(doc, false);
    }

    static String nic(AttachedNic nic) {
        Document doc = Xml.newDocument();
        Element element = doc.createElementNS(null, "interface");
        doc.appendChild(element);
        DomainXml.writeNic(element, nic);
        return Xml.serialize(doc, false);
    }

    /** Quantix's disk targets by volume, in metadata order. */
    static Map<VolumeRef, String> diskTargets(String domainXml) {
        Map<VolumeRef, String> targets = new LinkedHashMap<>();
        for (Element e : Xml.children(quantix(Xml.parse(domainXml).getDocumentElement()), "disk")) {
            targets.put(new VolumeRef(e.getAttribute("pool"), e.getAttribute("volume")), e.getAttribute("target"));
        }
        return targets;
    }

    /** The disk device with that target, as libvirt shows it: what detaching it must name. */
    static String diskDevice(String domainXml, String target) {
        for (Element disk : Xml.children(devices(domainXml), "disk")) {
            Element t = Xml.first(disk, "target");
            if (t != null && target.equals(t.getAttribute("dev"))) {
                return Xml.serialize(disk, false);
            }
        }
        throw new QuantixException(ErrorCode.BACKEND_ERROR, "the domain has no disk " + target);
    }

    static boolean hasDisk(String domainXml, String target) {
        return Xml.children(devices(domainXml), "disk").stream().map(d -> Xml.first(d, "target"))
                .anyMatch(t -> t != null && target.equals(t.getAttribute("dev")));
    }

    /** The current file of a disk: its newest overlay once it has external snapshots. */
    static Optional<String> diskFile(String domainXml, String target) {
        for (Element disk : Xml.children(devices(domainXml), "disk")) {
            Element t = Xml.first(disk, "target");
            Element source = Xml.first(disk, "source");
            if (t != null && target.equals(t.getAttribute("dev")) && source != null && source.hasAttribute("file")) {
                return Optional.of(source.getAttribute("file"));
            }
        }
        return Optional.empty();
    }

    /** The NIC with that port, as {@code <qx:nic>} records it (its MAC finds the device). */
    static Optional<String> nicMac(String domainXml, String portId) {
        return Xml.children(quantix(Xml.parse(domainXml).getDocumentElement()), "nic").stream()
                .filter(e -> portId.equals(e.getAttribute("port"))).map(e -> e.getAttribute("mac")).findFirst();
    }

    static String nicDevice(String domainXml, String mac) {
        return interfaceWith(domainXml, mac).map(e -> Xml.serialize(e, false))
                .orElseThrow(() -> new QuantixException(ErrorCode.BACKEND_ERROR, "the domain has no NIC " + mac));
    }

    static boolean hasNic(String domainXml, String mac) {
        return interfaceWith(domainXml, mac).isPresent();
    }

    /** The media drive with the ISO inserted (a file or a network source), or with none (ejected): what updateDevice takes. */
    static String mediaDrive(String domainXml, Optional<DiskSource> iso) {
        for (Element disk : Xml.children(devices(domainXml), "disk")) {
            Element alias = Xml.first(disk, "alias");
            if (alias != null && MEDIA_ALIAS.equals(alias.getAttribute("name"))) {
                Element source = Xml.first(disk, "source");
                if (source != null) {
                    disk.removeChild(source);
                }
                disk.setAttribute("type", "file");
                iso.ifPresent(image -> {
                    Element s = disk.getOwnerDocument().createElementNS(null, "source");
                    disk.insertBefore(s, Xml.first(disk, "target"));
                    if (image instanceof DiskSource.Network network) {
                        disk.setAttribute("type", "network");
                        NetworkDisks.writeSource(s, network);
                    } else {
                        s.setAttribute("file", ((DiskSource.File) image).path());
                    }
                });
                return Xml.serialize(disk, false);
            }
        }
        throw new QuantixException(ErrorCode.CONFLICT, "the VM has no CD-ROM drive for ISO media (VMs defined before"
                + " hot-plug support have none)");
    }

    /**
     * The domain's {@code <qx:vm>} after {@code change}, serialised for {@code virDomainSetMetadata}: without a
     * namespace, which libvirt adds itself and refuses to find declared already.
     */
    static String metadata(String domainXml, Consumer<Element> change) {
        Element qx = quantix(Xml.parse(domainXml).getDocumentElement());
        change.accept(qx);
        Document doc = Xml.newDocument();
        doc.appendChild(unqualified(doc, qx));
        return Xml.serialize(doc, false);
    }

    private static Element unqualified(Document doc, Element from) {
        Element copy = doc.createElementNS(null, from.getLocalName());
        NamedNodeMap attributes = from.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node a = attributes.item(i);
            if (!XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(a.getNamespaceURI())) {
                copy.setAttribute(a.getLocalName() == null ? a.getNodeName() : a.getLocalName(), a.getNodeValue());
            }
        }
        for (Node n = from.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                copy.appendChild(unqualified(doc, e));
            } else if (n.getNodeType() == Node.TEXT_NODE) {
                copy.appendChild(doc.createTextNode(n.getNodeValue()));
            }
        }
        return copy;
    }

    /** Removes the {@code <qx:disk>} of that volume. */
    static void removeDisk(Element qx, VolumeRef volume) {
        Xml.children(qx, "disk").stream()
                .filter(e -> e.getAttribute("pool").equals(volume.pool()) && e.getAttribute("volume").equals(volume.volume()))
                .forEach(qx::removeChild);
    }

    static void removeNic(Element qx, String portId) {
        Xml.children(qx, "nic").stream().filter(e -> e.getAttribute("port").equals(portId)).forEach(qx::removeChild);
    }

    private static Optional<Element> interfaceWith(String domainXml, String mac) {
        return Xml.children(devices(domainXml), "interface").stream().filter(nic -> {
            Element m = Xml.first(nic, "mac");
            return m != null && mac.equalsIgnoreCase(m.getAttribute("address"));
        }).findFirst();
    }

    private static Element devices(String domainXml) {
        Element devices = Xml.first(Xml.parse(domainXml).getDocumentElement(), "devices");
        if (devices == null) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the domain has no <devices>");
        }
        return devices;
    }

    private static Element quantix(Element domain) {
        Element metadata = Xml.first(domain, "metadata");
        Element qx = metadata == null ? null : Xml.first(metadata, DomainXml.NS, "vm");
        if (qx == null) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the domain has no Quantix metadata");
        }
        return qx;
    }
}
