package io.quantix.hypervisor.libvirt.internal;

import java.util.HashSet;
import java.util.Set;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Attaches a cloud-init NoCloud seed ISO to a domain as a read-only SATA CD-ROM (q35 has no IDE). It is not part
 * of the Quantix record: the core keeps the ISO by VM id and deletes it with the VM. The user alias marks the drive
 * as the seed, so that it is never taken for a CD-ROM a user inserts media into.
 */
final class SeedDrive {
    static final String ALIAS = "ua-cloud-init-seed";

    private SeedDrive() {
    }

    static String attach(String domainXml, String seedIso) {
        Document doc = Xml.parse(domainXml);
        Element devices = Xml.first(doc.getDocumentElement(), "devices");
        Element disk = doc.createElementNS(null, "disk");
        // Before the other devices' consoles and channels, where libvirt itself keeps disks.
        Element firstDisk = Xml.first(devices, "disk");
        devices.insertBefore(disk, firstDisk);
        disk.setAttribute("type", "file");
        disk.setAttribute("device", "cdrom");
        Element driver = Xml.child(disk, "driver");
        driver.setAttribute("name", "qemu");
        driver.setAttribute("type", "raw");
        Xml.child(disk, "source").setAttribute("file", seedIso);
        Element target = Xml.child(disk, "target");
        target.setAttribute("dev", freeSataTarget(devices));
        target.setAttribute("bus", "sata");
        Xml.child(disk, "readonly");
        Xml.child(disk, "alias").setAttribute("name", ALIAS);
        return Xml.serialize(doc, true);
    }

    /** The first sdX name no disk uses yet: SATA and SCSI data disks take sda, sdb, ... from the start. */
    private static String freeSataTarget(Element devices) {
        Set<String> used = new HashSet<>();
        for (Element disk : Xml.children(devices, "disk")) {
            Element target = Xml.first(disk, "target");
            if (target != null) {
                used.add(target.getAttribute("dev"));
            }
        }
        for (int i = 0; ; i++) {
            // sda..sdz, then sdaa, sdab, ... as the kernel names them
            String name = "sd" + (i < 26 ? "" : String.valueOf((char) ('a' + i / 26 - 1))) + (char) ('a' + i % 26);
            if (!used.contains(name)) {
                return name;
            }
        }
    }
}
