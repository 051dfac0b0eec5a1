package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.VolumeRef;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugs disks, NICs and ISO media in and out of a domain, running or not, and changes the VM's tags. Every change goes to the running guest
 * (if any) and to the persistent definition alike, device and {@code <qx:vm>} metadata together; a failure half
 * way puts back what was already changed. The caller holds the backend's lock.
 */
final class LibvirtHotplug {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtHotplug.class);
    /**
     * A guest must release an unplugged device (PCIe hot-unplug: Linux waits 5 s for a cancel, then ejects);
     * libvirt stops waiting after 5 s and leaves it pending. The volume is only safe to delete once it is gone.
     */
    static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(30);

    /** virDomainBlockResizeFlags VIR_DOMAIN_BLOCK_RESIZE_BYTES: the size is in bytes, not KiB. */
    private static final int BLOCK_RESIZE_BYTES = 1;

    private LibvirtHotplug() {
    }

    static void attachDisk(Domain domain, AttachedDisk disk) throws LibvirtException {
        String xml = domain.getXMLDesc(0);
        if (DeviceXml.diskTargets(xml).containsKey(disk.volume())) {
            throw new QuantixException(ErrorCode.ALREADY_EXISTS, "volume " + disk.volume() + " is already a disk of the VM");
        }
        String target = DeviceXml.freeTarget(xml, disk.bus());
        String device = DeviceXml.disk(disk, target);
        int flags = flags(domain);
        domain.attachDeviceFlags(device, flags);
        try {
            setMetadata(domain, DeviceXml.metadata(xml, qx -> DomainXml.writeDiskEntry(qx, disk, target)), flags);
        } catch (LibvirtException | RuntimeException e) {
            undo("detaching disk " + target, () -> domain.detachDeviceFlags(device, flags));
            throw e;
        }
    }

    static void detachDisk(Domain domain, VolumeRef volume) throws LibvirtException {
        String xml = domain.getXMLDesc(0);
        String target = Optional.ofNullable(DeviceXml.diskTargets(xml).get(volume))
                .orElseThrow(() -> QuantixException.notFound("disk of the VM from volume", volume.toString()));
        detach(domain, xml, DeviceXml.metadata(xml, qx -> DeviceXml.removeDisk(qx, volume)),
                DeviceXml.diskDevice(xml, target), live -> !DeviceXml.hasDisk(live, target), "disk " + target);
    }

    static void attachNic(Domain domain, AttachedNic nic) throws LibvirtException {
        String xml = domain.getXMLDesc(0);
        if (DeviceXml.hasNic(xml, nic.mac())) {
            throw new QuantixException(ErrorCode.ALREADY_EXISTS, "the VM already has a NIC with MAC " + nic.mac());
        }
        String device = DeviceXml.nic(nic);
        int flags = flags(domain);
        domain.attachDeviceFlags(device, flags);
        try {
            setMetadata(domain, DeviceXml.metadata(xml, qx -> DomainXml.writeNicEntry(qx, nic)), flags);
        } catch (LibvirtException | RuntimeException e) {
            undo("unplugging NIC " + nic.mac(), () -> domain.detachDeviceFlags(device, flags));
            throw e;
        }
    }

    /** The tags live in the {@code <qx:vm>} metadata only: no device changes. */
    static void setTags(Domain domain, Set<String> tags) throws LibvirtException {
        setMetadata(domain, DeviceXml.metadata(domain.getXMLDesc(0), qx -> DomainXml.writeTags(qx, tags)), flags(domain));
    }

    static void detachNic(Domain domain, String portId) throws LibvirtException {
        String xml = domain.getXMLDesc(0);
        String mac = DeviceXml.nicMac(xml, portId)
                .orElseThrow(() -> QuantixException.notFound("NIC of the VM on port", portId));
        detach(domain, xml, DeviceXml.metadata(xml, qx -> DeviceXml.removeNic(qx, portId)), DeviceXml.nicDevice(xml, mac),
                live -> !DeviceXml.hasNic(live, mac), "NIC " + mac);
    }

    static void changeMedia(Domain domain, Optional<DiskSource> iso) throws LibvirtException {
        int flags = flags(domain);
        // FORCE: a guest that locked the tray must not keep an ISO in forever
        domain.updateDeviceFlags(DeviceXml.mediaDrive(domain.getXMLDesc(0), iso),
                flags | (isActive(domain) ? Domain.DeviceModifyFlags.FORCE : 0));
    }

    /** Grows a running VM's disk through QEMU, which tells the guest; the image file grows with it. */
    static void resizeDisk(Domain domain, VolumeRef volume, long bytes) throws LibvirtException {
        String target = Optional.ofNullable(DeviceXml.diskTargets(domain.getXMLDesc(0)).get(volume))
                .orElseThrow(() -> QuantixException.notFound("disk of the VM from volume", volume.toString()));
        if (!isActive(domain)) {
            throw new QuantixException(ErrorCode.CONFLICT, "the VM is not running: resize the volume itself");
        }
        domain.blockResize(target, bytes, BLOCK_RESIZE_BYTES);
    }

    /**
     * The record goes first, so the VM never lists a device that is gone; the device follows, and on a running
     * guest this waits until the guest has let go of it.
     */
    private static void detach(Domain domain, String xml, String metadata, String device, Predicate<String> released,
            String what) throws LibvirtException {
        int flags = flags(domain);
        String original = DeviceXml.metadata(xml, qx -> { });
        setMetadata(domain, metadata, flags);
        try {
            domain.detachDeviceFlags(device, flags);
        } catch (LibvirtException | RuntimeException e) {
            undo("restoring the record of " + what, () -> setMetadata(domain, original, flags));
            throw e;
        }
        if ((flags & Domain.DeviceModifyFlags.LIVE) != 0) {
            awaitRelease(domain, released, what);
        }
    }

    private static void awaitRelease(Domain domain, Predicate<String> released, String what) throws LibvirtException {
        long deadline = System.nanoTime() + RELEASE_TIMEOUT.toNanos();
        // a guest that stops meanwhile releases everything
        while (isActive(domain) && !released.test(domain.getXMLDesc(0))) {
            if (System.nanoTime() > deadline) {
                throw new QuantixException(ErrorCode.CONFLICT, "the guest has not released its " + what + " within "
                        + RELEASE_TIMEOUT.toSeconds() + " s; it is removed from the VM's definition and goes when"
                        + " the guest lets go of it or stops");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QuantixException(ErrorCode.INTERNAL, "interrupted waiting for the guest to release " + what, e);
            }
        }
        LOG.info("guest released its {}", what);
    }

    private static void setMetadata(Domain domain, String qx, int flags) throws LibvirtException {
        domain.setMetadata(Domain.MetadataType.ELEMENT, qx, "qx", DomainXml.NS, flags);
    }

    /** Both the running guest and the persistent definition, or only the definition of a stopped VM. */
    private static int flags(Domain domain) throws LibvirtException {
        return Domain.DeviceModifyFlags.CONFIG | (isActive(domain) ? Domain.DeviceModifyFlags.LIVE : 0);
    }

    private static boolean isActive(Domain domain) throws LibvirtException {
        return domain.isActive() == 1;
    }

    private static void undo(String what, LibvirtCall call) {
        try {
            call.run();
        } catch (LibvirtException | RuntimeException e) {
            LOG.error("could not undo a failed hot-plug step ({}): {}", what, e.getMessage());
        }
    }

    @FunctionalInterface
    private interface LibvirtCall {
        void run() throws LibvirtException;
    }
}
