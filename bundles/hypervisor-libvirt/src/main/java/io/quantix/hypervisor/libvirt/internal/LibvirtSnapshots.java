package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.VolumeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.libvirt.Domain;
import org.libvirt.DomainBlockJobInfo;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt snapshots of a Quantix VM. Internal ones live inside the qcow2 disks (with the guest's memory when it
 * runs); external, disk-only ones freeze the disk files and send writes to a hidden overlay next to each, which
 * deleting the snapshot commits back. The caller holds the backend's lock.
 */
final class LibvirtSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtSnapshots.class);
    /** A block commit copies every block written since the snapshot; large overlays take a while. */
    static final Duration COMMIT_TIMEOUT = Duration.ofMinutes(10);

    /** A snapshot and, for an external one, the overlay file of each disk target it created. */
    record Parsed(Snapshot snapshot, Map<String, String> overlays) {
    }

    private LibvirtSnapshots() {
    }

    static Snapshot create(Domain domain, SnapshotSpec spec, PowerState state, DomainXml.Type type)
            throws LibvirtException {
        if (List.of(domain.snapshotListNames(0)).contains(spec.name())) {
            throw QuantixException.alreadyExists("snapshot", spec.name());
        }
        boolean running = state == PowerState.RUNNING || state == PowerState.PAUSED;
        if (spec.includeMemory() && !running) {
            throw new QuantixException(ErrorCode.CONFLICT, "the VM is " + lower(state) + ": it has no memory to save");
        }
        // QEMU saves a running guest's disks internally only together with its memory; checked for every driver alike
        if (running && !spec.includeMemory() && !spec.diskOnly()) {
            throw new QuantixException(ErrorCode.CONFLICT, "the VM is " + lower(state)
                    + ": its snapshot must include memory or be disk-only");
        }
        if (spec.diskOnly() && type == DomainXml.Type.TEST) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "libvirt's test driver cannot take disk-only snapshots");
        }
        Document doc = Xml.newDocument();
        Element root = doc.createElementNS(null, "domainsnapshot");
        doc.appendChild(root);
        Xml.child(root, "name", spec.name());
        Xml.child(root, "description", spec.description());
        int flags = 0;
        if (spec.diskOnly()) {
            writeOverlays(root, domain.getXMLDesc(0), spec.name());
            flags = Domain.SnapshotCreateFlags.DISK_ONLY | Domain.SnapshotCreateFlags.ATOMIC;
        }
        DomainSnapshot created = domain.snapshotCreateXML(Xml.serialize(doc, false), flags);
        try {
            LOG.info("VM '{}': snapshot '{}' taken", domain.getName(), spec.name());
            return parse(created.getXMLDesc()).snapshot();
        } finally {
            created.free();
        }
    }

    static List<Snapshot> list(Domain domain) throws LibvirtException {
        List<Snapshot> result = new ArrayList<>();
        // parents before children, which the creation time (whole seconds) alone cannot tell apart
        for (String name : domain.snapshotListNames(Domain.SnapshotListFlags.TOPOLOGICAL)) {
            result.add(read(domain, name).snapshot());
        }
        result.sort(Comparator.comparing(Snapshot::createdAt));
        return List.copyOf(result);
    }

    static void revert(Domain domain, String name) throws LibvirtException {
        DomainSnapshot snapshot = lookup(domain, name);
        try {
            if (parse(snapshot.getXMLDesc()).snapshot().external()) {
                // libvirt before 9.9 cannot revert to external snapshots
                throw new QuantixException(ErrorCode.UNSUPPORTED, "snapshot '" + name
                        + "' is disk-only (external): it can be deleted, which keeps the VM's current disks, not reverted to");
            }
            domain.revertToSnapshot(snapshot);
            LOG.info("VM '{}': reverted to snapshot '{}'", domain.getName(), name);
        } finally {
            snapshot.free();
        }
    }

    static void delete(Domain domain, String name) throws LibvirtException {
        DomainSnapshot snapshot = lookup(domain, name);
        try {
            Parsed parsed = parse(snapshot.getXMLDesc());
            if (!parsed.snapshot().external()) {
                snapshot.delete(0);
            } else if (domain.isActive() == 1) {
                commitOverlays(domain, name, parsed.overlays());
                snapshot.delete(DomainSnapshot.SnapshotDeleteFlags.METADATA_ONLY);
                parsed.overlays().values().forEach(LibvirtSnapshots::deleteOverlay);
            } else {
                // a stopped VM has no block jobs; libvirt (9.0+) commits the overlays of a stopped VM itself
                snapshot.delete(0);
            }
            LOG.info("VM '{}': snapshot '{}' deleted", domain.getName(), name);
        } finally {
            snapshot.free();
        }
    }

    /**
     * One overlay per Quantix disk, hidden (a leading dot) next to the disk's current file, so a storage pool never
     * lists it as a volume of its own.
     */
    private static void writeOverlays(Element root, String domainXml, String snapshot) {
        Element disks = Xml.child(root, "disks");
        for (Map.Entry<VolumeRef, String> disk : DeviceXml.diskTargets(domainXml).entrySet()) {
            String current = DeviceXml.diskFile(domainXml, disk.getValue()).orElseThrow(() -> new QuantixException(
                    ErrorCode.UNSUPPORTED, "disk " + disk.getValue() + " is not a file: it cannot get an overlay"));
            Path overlay = Path.of(current).resolveSibling("." + disk.getKey().volume() + "." + snapshot + ".qcow2");
            Element e = Xml.child(disks, "disk");
            e.setAttribute("name", disk.getValue());
            e.setAttribute("snapshot", "external");
            Xml.child(e, "driver").setAttribute("type", "qcow2");
            Xml.child(e, "source").setAttribute("file", overlay.toString());
        }
    }

    /**
     * Active block commit: copies each overlay into the file below it while the guest runs on, then pivots the disk
     * back onto that file. Only the newest overlay of a disk is its top, so only the newest snapshot can go this way.
     */
    private static void commitOverlays(Domain domain, String name, Map<String, String> overlays) throws LibvirtException {
        String live = domain.getXMLDesc(0);
        for (Map.Entry<String, String> overlay : overlays.entrySet()) {
            if (!DeviceXml.diskFile(live, overlay.getKey()).equals(Optional.of(overlay.getValue()))) {
                throw new QuantixException(ErrorCode.CONFLICT, "snapshot '" + name
                        + "' is not the newest disk-only snapshot of disk " + overlay.getKey() + ": delete newer ones first");
            }
        }
        for (Map.Entry<String, String> overlay : overlays.entrySet()) {
            String disk = overlay.getKey();
            domain.blockCommit(disk, null, null, 0, Domain.BlockCommitFlags.ACTIVE);
            long deadline = System.nanoTime() + COMMIT_TIMEOUT.toNanos();
            // ready: the whole overlay is copied and the job mirrors new writes until it is told to pivot
            while (!ready(domain.getBlockJobInfo(disk, 0))) {
                if (System.nanoTime() > deadline) {
                    domain.blockJobAbort(disk, 0);
                    throw new QuantixException(ErrorCode.BACKEND_ERROR, "committing the overlay of disk " + disk
                            + " did not finish within " + COMMIT_TIMEOUT.toMinutes() + " min; the snapshot is kept");
                }
                pause();
            }
            pivot(domain, disk, deadline);
            while (DeviceXml.diskFile(domain.getXMLDesc(0), disk).equals(Optional.of(overlay.getValue()))) {
                pause();
            }
        }
    }

    /** Copied all is not yet ready for libvirt, which waits for QEMU's own ready event: retry until it is. */
    private static void pivot(Domain domain, String disk, long deadline) throws LibvirtException {
        while (true) {
            try {
                domain.blockJobAbort(disk, Domain.BlockJobAbortFlags.PIVOT);
                return;
            } catch (LibvirtException e) {
                if (e.getError() == null || e.getError().getCode() != Error.ErrorNumber.VIR_ERR_BLOCK_COPY_ACTIVE
                        || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            pause();
        }
    }

    private static boolean ready(DomainBlockJobInfo job) {
        return job != null && job.end > 0 && job.cur == job.end;
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.INTERNAL, "interrupted during a block commit", e);
        }
    }

    private static void deleteOverlay(String file) {
        try {
            Files.deleteIfExists(Path.of(file));
        } catch (IOException e) {
            LOG.warn("snapshot merged, but its overlay {} could not be deleted: {}", file, e.getMessage());
        }
    }

    private static Parsed read(Domain domain, String name) throws LibvirtException {
        DomainSnapshot snapshot = lookup(domain, name);
        try {
            return parse(snapshot.getXMLDesc());
        } finally {
            snapshot.free();
        }
    }

    private static DomainSnapshot lookup(Domain domain, String name) throws LibvirtException {
        try {
            return domain.snapshotLookupByName(name);
        } catch (LibvirtException e) {
            if (LibvirtErrors.map(e, null).code() == ErrorCode.NOT_FOUND) {
                throw QuantixException.notFound("snapshot", name);
            }
            throw e;
        }
    }

    /** A snapshot description as libvirt returns it; BACKEND_ERROR if it is not one. */
    static Parsed parse(String xml) {
        Element root = Xml.parse(xml).getDocumentElement();
        try {
            return parse(root);
        } catch (RuntimeException e) {
            // a missing <name>, a creationTime that is not a number: found by DomainXmlFuzzTest
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "libvirt returned a snapshot description that cannot be"
                    + " read: " + e.getMessage(), e);
        }
    }

    private static Parsed parse(Element root) {
        Element parent = Xml.first(root, "parent");
        Element creation = Xml.first(root, "creationTime");
        Element state = Xml.first(root, "state");
        Element memory = Xml.first(root, "memory");
        Map<String, String> overlays = new LinkedHashMap<>();
        Element disks = Xml.first(root, "disks");
        if (disks != null) {
            for (Element disk : Xml.children(disks, "disk")) {
                Element source = Xml.first(disk, "source");
                if ("external".equals(disk.getAttribute("snapshot")) && source != null) {
                    overlays.put(disk.getAttribute("name"), source.getAttribute("file"));
                }
            }
        }
        String memorySnapshot = memory == null ? "no" : memory.getAttribute("snapshot");
        Snapshot snapshot = new Snapshot(Xml.first(root, "name").getTextContent().trim(),
                Optional.ofNullable(parent).map(p -> Xml.first(p, "name").getTextContent().trim()),
                creation == null ? Instant.EPOCH : Instant.ofEpochSecond(Long.parseLong(creation.getTextContent().trim())),
                memorySnapshot.equals("internal") || memorySnapshot.equals("external"),
                !overlays.isEmpty() || memorySnapshot.equals("external"),
                state == null ? PowerState.STOPPED : powerState(state.getTextContent().trim()));
        return new Parsed(snapshot, overlays);
    }

    /** libvirt's snapshot states; "disk-snapshot" is its name for a disk-only snapshot of a running guest. */
    private static PowerState powerState(String state) {
        return switch (state) {
            case "running", "blocked", "disk-snapshot" -> PowerState.RUNNING;
            case "paused", "pmsuspended" -> PowerState.PAUSED;
            case "shutdown" -> PowerState.SHUTTING_DOWN;
            case "crashed" -> PowerState.CRASHED;
            default -> PowerState.STOPPED;
        };
    }

    private static String lower(PowerState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
