package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.HaPolicy;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Translates between a Quantix VM and libvirt domain XML. libvirt's XML is the only record of a VM
 * (see {@code HypervisorBackend}), so every Quantix field libvirt has no place for lives in the domain's
 * {@code <metadata>} under {@link #NS}, and {@link #parse} restores exactly what {@link #build} was given.
 * Everything is written through DOM, so no value can break out of its attribute or element.
 */
final class DomainXml {
    static final String NS = "https://quantix.io/xmlns/vm/1";
    /** The virtio-serial port the Quantix guest agent talks on. */
    static final String AGENT_CHANNEL = "org.quantix.agent.0";
    /** The port qemu-guest-agent opens in the guest; libvirt uses it for agent-based shutdown and more. */
    static final String QEMU_GA_CHANNEL = "org.qemu.guest_agent.0";
    private static final String PREFIX = "qx";

    /** libvirt's domain type: the emulator behind the domain. */
    enum Type {
        TEST, QEMU, KVM;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private DomainXml() {
    }

    /** The file a qemu/kvm VM's first serial port writes to: its console output, kept for people and tests. */
    static Path serialLog(Path runDir, String id) {
        return runDir.resolve(id + ".serial.log");
    }

    /** The host end of the VM's Quantix agent channel. */
    static Path agentSocket(Path runDir, String id) {
        return runDir.resolve(id + ".agent.sock");
    }

    static Path guestAgentSocket(Path runDir, String id) {
        return runDir.resolve(id + ".qga.sock");
    }

    /**
     * A Unix socket path holds at most 107 bytes (sun_path); say so before libvirt refuses to start the VM.
     * libvirt's test driver binds nothing, so there any path will do.
     */
    private static Path bound(Type type, Path path) {
        if (type != Type.TEST && path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw QuantixException.invalid("the VM's channel socket " + path + " is longer than a Unix socket path"
                    + " may be (107 bytes): give the node a shorter data directory (QUANTIX_DATA_DIR)");
        }
        return path;
    }

    /** @param runDir where the VM's sockets and serial log live on the host */
    static String build(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics, Type type,
            Path runDir) {
        requireUuid(id);
        Document doc = Xml.newDocument();
        Element domain = doc.createElementNS(null, "domain");
        doc.appendChild(domain);
        domain.setAttribute("type", type.id());
        Xml.child(domain, "name", spec.name());
        Xml.child(domain, "uuid", id);
        List<String> targets = diskTargets(disks);
        writeMetadata(Xml.child(domain, "metadata"), spec, disks, targets, nics);
        Xml.child(domain, "memory", Long.toString(spec.memoryMiB())).setAttribute("unit", "MiB");
        Xml.child(domain, "vcpu", Integer.toString(spec.vcpus()));
        writeOs(Xml.child(domain, "os"), spec, type);
        // Without ACPI a qemu guest never sees the power button, so SHUTDOWN would do nothing.
        Element features = Xml.child(domain, "features");
        Xml.child(features, "acpi");
        Xml.child(features, "apic");
        Element devices = Xml.child(domain, "devices");
        for (int i = 0; i < disks.size(); i++) {
            writeDisk(Xml.child(devices, "disk"), disks.get(i), targets.get(i));
        }
        nics.forEach(nic -> writeNic(Xml.child(devices, "interface"), nic));
        writeConsole(devices, type, serialLog(runDir, id));
        writeChannel(Xml.child(devices, "channel"), bound(type, agentSocket(runDir, id)), AGENT_CHANNEL);
        writeChannel(Xml.child(devices, "channel"), bound(type, guestAgentSocket(runDir, id)), QEMU_GA_CHANNEL);
        if (type != Type.TEST) {
            LibvirtConsoles.writeGraphics(devices);
        }
        if (type != Type.TEST) {
            // Hot-plug needs both in place before the guest starts: neither a drive nor a PCIe port can be added live.
            DeviceXml.addMediaDrive(devices);
            DeviceXml.addHotplugPorts(devices, disks, nics);
        }
        return Xml.serialize(doc, true);
    }

    /** The Quantix VM a domain holds, or empty for a domain Quantix did not define. */
    static Optional<Vm> parse(String xml, PowerState state) {
        Element domain = Xml.parse(xml).getDocumentElement();
        Element metadata = Xml.first(domain, "metadata");
        Element qx = metadata == null ? null : Xml.first(metadata, NS, "vm");
        if (qx == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(toVm(domain, qx, state));
        } catch (RuntimeException e) {
            Element name = Xml.first(domain, "name");
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "domain "
                    + Validation.quote(name == null ? null : name.getTextContent())
                    + " has Quantix metadata that cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The host-side device of each NIC of a live domain's XML by MAC (lower case): libvirt names it (vnetN) at
     * every start, so only the live XML knows it. A NIC without one (the test driver) is left out.
     */
    static Map<String, String> interfaceDevices(String xml) {
        Map<String, String> devices = new HashMap<>();
        Element domainDevices = Xml.first(Xml.parse(xml).getDocumentElement(), "devices");
        if (domainDevices != null) {
            for (Element nic : Xml.children(domainDevices, "interface")) {
                Element mac = Xml.first(nic, "mac");
                Element target = Xml.first(nic, "target");
                if (mac != null && target != null && !target.getAttribute("dev").isEmpty()) {
                    devices.put(mac.getAttribute("address").toLowerCase(Locale.ROOT), target.getAttribute("dev"));
                }
            }
        }
        return devices;
    }

    private static void writeMetadata(Element metadata, VmSpec spec, List<AttachedDisk> disks, List<String> targets,
            List<AttachedNic> nics) {
        Element vm = metadata.getOwnerDocument().createElementNS(NS, PREFIX + ":vm");
        vm.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, XMLConstants.XMLNS_ATTRIBUTE + ":" + PREFIX, NS);
        metadata.appendChild(vm);
        Xml.child(vm, "hypervisor", spec.hypervisor());
        Xml.child(vm, "firmware", id(spec.firmware()));
        Element ha = Xml.child(vm, "ha");
        ha.setAttribute("enabled", Boolean.toString(spec.ha().enabled()));
        ha.setAttribute("restart-priority", Integer.toString(spec.ha().restartPriority()));
        writeTags(vm, spec.tags());
        spec.bootOrder().forEach(boot -> Xml.child(vm, "boot").setAttribute("device", id(boot)));
        for (DiskSpec disk : spec.disks()) {
            Element e = Xml.child(vm, "disk-spec");
            e.setAttribute("pool", disk.pool());
            e.setAttribute("size-bytes", Long.toString(disk.sizeBytes()));
            disk.format().ifPresent(f -> e.setAttribute("format", f.id()));
            e.setAttribute("bus", id(disk.bus()));
        }
        for (NicSpec nic : spec.nics()) {
            Element e = Xml.child(vm, "nic-spec");
            e.setAttribute("network", nic.network());
            nic.mac().ifPresent(mac -> e.setAttribute("mac", mac));
            e.setAttribute("model", id(nic.model()));
        }
        for (int i = 0; i < disks.size(); i++) {
            writeDiskEntry(vm, disks.get(i), targets.get(i));
        }
        nics.forEach(nic -> writeNicEntry(vm, nic));
    }

    /** Replaces the {@code <qx:tag>} entries of {@code <qx:vm>} (text content: the DOM escapes it). */
    static void writeTags(Element vm, Set<String> tags) {
        Xml.children(vm, "tag").forEach(vm::removeChild);
        tags.stream().sorted().forEach(tag -> Xml.child(vm, "tag", tag));
    }

    /** The Quantix record of an attached disk, inside {@code <qx:vm>}. */
    static void writeDiskEntry(Element vm, AttachedDisk disk, String target) {
        Element e = Xml.child(vm, "disk");
        e.setAttribute("target", target);
        e.setAttribute("pool", disk.volume().pool());
        e.setAttribute("volume", disk.volume().volume());
        e.setAttribute("format", disk.format().id());
        e.setAttribute("bus", id(disk.bus()));
    }

    static void writeNicEntry(Element vm, AttachedNic nic) {
        Element e = Xml.child(vm, "nic");
        e.setAttribute("mac", nic.mac());
        e.setAttribute("network", nic.network());
        e.setAttribute("port", nic.portId());
    }

    private static void writeOs(Element os, VmSpec spec, Type type) {
        Element osType = Xml.child(os, "type", "hvm");
        osType.setAttribute("arch", "x86_64");
        if (type != Type.TEST) {
            // q35 is what OVMF expects; the test driver has no machine types.
            osType.setAttribute("machine", "q35");
        }
        if (spec.firmware().uefi()) {
            os.setAttribute("firmware", "efi");
            // Said either way: libvirt's default UEFI choice enrols Microsoft keys, so unsigned boot loaders would
            // get "Access Denied" unless Secure Boot was asked for. libvirt turns on SMM, which Secure Boot needs.
            String enabled = spec.firmware() == Firmware.UEFI_SECURE_BOOT ? "yes" : "no";
            Element firmware = Xml.child(os, "firmware");
            for (String feature : List.of("secure-boot", "enrolled-keys")) {
                Element e = Xml.child(firmware, "feature");
                e.setAttribute("enabled", enabled);
                e.setAttribute("name", feature);
            }
        }
        if (spec.directBoot().isPresent()) {
            // The kernel is loaded by the hypervisor itself: there is no boot device to try.
            DirectBoot boot = spec.directBoot().get();
            Xml.child(os, "kernel", boot.kernel());
            Xml.child(os, "initrd", boot.initrd());
            Xml.child(os, "cmdline", boot.cmdline());
            return;
        }
        List<BootDevice> order = spec.bootOrder().isEmpty() ? List.of(BootDevice.DISK) : spec.bootOrder();
        order.forEach(boot -> Xml.child(os, "boot").setAttribute("dev", libvirtBoot(boot)));
    }

    /**
     * A real guest's serial port writes to a log file, so its boot messages can be read after the fact (libvirt
     * adds the matching console). The test driver runs no guest: it keeps the pty console it always had.
     */
    private static void writeConsole(Element devices, Type type, Path serialLog) {
        Element serial = Xml.child(devices, "serial");
        if (type == Type.TEST) {
            serial.setAttribute("type", "pty");
            Xml.child(serial, "target").setAttribute("port", "0");
            Element console = Xml.child(devices, "console");
            console.setAttribute("type", "pty");
            Element consoleTarget = Xml.child(console, "target");
            consoleTarget.setAttribute("type", "serial");
            consoleTarget.setAttribute("port", "0");
        } else {
            serial.setAttribute("type", "file");
            Xml.child(serial, "source").setAttribute("path", serialLog.toString());
            Xml.child(serial, "target").setAttribute("port", "0");
        }
    }

    /** A virtio-serial port whose host end is a unix socket libvirt listens on at a path derived from the VM id. */
    private static void writeChannel(Element channel, Path socket, String name) {
        channel.setAttribute("type", "unix");
        Element source = Xml.child(channel, "source");
        source.setAttribute("mode", "bind");
        source.setAttribute("path", socket.toString());
        Element target = Xml.child(channel, "target");
        target.setAttribute("type", "virtio");
        target.setAttribute("name", name);
    }

    static void writeDisk(Element disk, AttachedDisk attached, String target) {
        disk.setAttribute("device", "disk");
        Element driver = Xml.child(disk, "driver");
        driver.setAttribute("name", "qemu");
        driver.setAttribute("type", attached.format().id());
        // Pattern switches over sealed types need Java 21; until then an unknown kind fails here, loudly.
        if (attached.source() instanceof DiskSource.File file) {
            disk.setAttribute("type", "file");
            Xml.child(disk, "source").setAttribute("file", file.path());
        } else if (attached.source() instanceof DiskSource.Network network) {
            disk.setAttribute("type", "network");
            NetworkDisks.writeSource(Xml.child(disk, "source"), network);
        } else {
            throw new QuantixException(ErrorCode.UNSUPPORTED,
                    "the libvirt backend cannot attach disks of kind " + attached.source().getClass().getSimpleName());
        }
        Element targetElement = Xml.child(disk, "target");
        targetElement.setAttribute("dev", target);
        targetElement.setAttribute("bus", id(attached.bus()));
    }

    static void writeNic(Element nic, AttachedNic attached) {
        if (attached.binding() instanceof NicBinding.Bridge bridge) {
            nic.setAttribute("type", "bridge");
            Xml.child(nic, "source").setAttribute("bridge", bridge.bridge());
        } else if (attached.binding() instanceof NicBinding.OpenVSwitch ovs) {
            // libvirt adds the tap to the OVS bridge and sets its external_ids:iface-id to the interface id
            nic.setAttribute("type", "bridge");
            Xml.child(nic, "source").setAttribute("bridge", ovs.bridge());
            Element port = Xml.child(nic, "virtualport");
            port.setAttribute("type", "openvswitch");
            Xml.child(port, "parameters").setAttribute("interfaceid", ovs.interfaceId());
        } else {
            throw new QuantixException(ErrorCode.UNSUPPORTED,
                    "the libvirt backend cannot plug NICs of kind " + attached.binding().getClass().getSimpleName());
        }
        Xml.child(nic, "mac").setAttribute("address", attached.mac());
        Xml.child(nic, "model").setAttribute("type", id(attached.model()));
    }

    /** vda, vdb, ... for virtio; sda, sdb, ... shared by SCSI and SATA, which both name disks sdX. */
    static List<String> diskTargets(List<AttachedDisk> disks) {
        Map<String, Integer> used = new HashMap<>();
        List<String> targets = new ArrayList<>();
        for (AttachedDisk disk : disks) {
            String prefix = disk.bus() == DiskBus.VIRTIO ? "vd" : "sd";
            int index = used.merge(prefix, 1, Integer::sum) - 1;
            // VmSpec.MAX_DISKS is 26, so one letter always suffices.
            targets.add(prefix + (char) ('a' + index));
        }
        return targets;
    }

    private static Vm toVm(Element domain, Element qx, PowerState state) {
        String name = text(domain, "name");
        String id = text(domain, "uuid");
        List<AttachedDisk> disks = new ArrayList<>();
        Element devices = Xml.first(domain, "devices");
        for (Element e : Xml.children(qx, "disk")) {
            Element device = diskDevice(devices, e.getAttribute("target"));
            disks.add(new AttachedDisk(new VolumeRef(e.getAttribute("pool"), e.getAttribute("volume")),
                    diskSource(device), format(e.getAttribute("format")), DiskBus.valueOf(upper(e.getAttribute("bus")))));
        }
        List<AttachedNic> nics = new ArrayList<>();
        for (Element e : Xml.children(qx, "nic")) {
            Element device = nicDevice(devices, e.getAttribute("mac"));
            nics.add(new AttachedNic(e.getAttribute("network"), e.getAttribute("port"), e.getAttribute("mac"),
                    NicModel.valueOf(upper(Xml.first(device, "model").getAttribute("type"))), nicBinding(device)));
        }
        Element ha = Xml.first(qx, "ha");
        VmSpec spec = new VmSpec(name, text(qx, "hypervisor"), Integer.parseInt(text(domain, "vcpu")),
                memoryMiB(Xml.first(domain, "memory")), Firmware.valueOf(upper(text(qx, "firmware"))),
                Xml.children(qx, "disk-spec").stream().map(DomainXml::diskSpec).toList(),
                Xml.children(qx, "nic-spec").stream().map(DomainXml::nicSpec).toList(),
                Xml.children(qx, "boot").stream().map(e -> BootDevice.valueOf(upper(e.getAttribute("device")))).toList(),
                Xml.children(qx, "tag").stream().map(Element::getTextContent).collect(Collectors.toSet()),
                new HaPolicy(Boolean.parseBoolean(ha.getAttribute("enabled")),
                        Integer.parseInt(ha.getAttribute("restart-priority"))),
                directBoot(Xml.first(domain, "os")));
        return new Vm(id, spec, state, disks, nics);
    }

    /** libvirt's own {@code <os>} fields are the record of a direct boot; libvirt drops an empty cmdline. */
    private static Optional<DirectBoot> directBoot(Element os) {
        Element kernel = os == null ? null : Xml.first(os, "kernel");
        if (kernel == null) {
            return Optional.empty();
        }
        Element initrd = Xml.first(os, "initrd");
        Element cmdline = Xml.first(os, "cmdline");
        return Optional.of(new DirectBoot(kernel.getTextContent(), initrd == null ? null : initrd.getTextContent(),
                cmdline == null ? "" : cmdline.getTextContent()));
    }

    private static DiskSpec diskSpec(Element e) {
        return new DiskSpec(e.getAttribute("pool"), Long.parseLong(e.getAttribute("size-bytes")),
                e.hasAttribute("format") ? Optional.of(format(e.getAttribute("format"))) : Optional.empty(),
                DiskBus.valueOf(upper(e.getAttribute("bus"))));
    }

    private static NicSpec nicSpec(Element e) {
        Optional<String> mac = e.hasAttribute("mac") ? Optional.of(e.getAttribute("mac")) : Optional.empty();
        return new NicSpec(e.getAttribute("network"), mac, NicModel.valueOf(upper(e.getAttribute("model"))));
    }

    private static Element diskDevice(Element devices, String target) {
        for (Element disk : Xml.children(devices, "disk")) {
            Element t = Xml.first(disk, "target");
            if (t != null && target.equals(t.getAttribute("dev"))) {
                return disk;
            }
        }
        throw new IllegalStateException("no disk device " + Validation.quote(target));
    }

    private static Element nicDevice(Element devices, String mac) {
        for (Element nic : Xml.children(devices, "interface")) {
            Element m = Xml.first(nic, "mac");
            if (m != null && mac.equalsIgnoreCase(m.getAttribute("address"))) {
                return nic;
            }
        }
        throw new IllegalStateException("no interface with MAC " + Validation.quote(mac));
    }

    private static DiskSource diskSource(Element disk) {
        if ("file".equals(disk.getAttribute("type"))) {
            return new DiskSource.File(Xml.first(disk, "source").getAttribute("file"));
        }
        if ("network".equals(disk.getAttribute("type"))) {
            return NetworkDisks.readSource(disk);
        }
        throw new IllegalStateException("disk type " + Validation.quote(disk.getAttribute("type")) + " is not supported");
    }

    private static NicBinding nicBinding(Element nic) {
        if ("bridge".equals(nic.getAttribute("type"))) {
            String bridge = Xml.first(nic, "source").getAttribute("bridge");
            Element port = Xml.first(nic, "virtualport");
            if (port != null && "openvswitch".equals(port.getAttribute("type"))) {
                return new NicBinding.OpenVSwitch(bridge, Xml.first(port, "parameters").getAttribute("interfaceid"));
            }
            return new NicBinding.Bridge(bridge);
        }
        throw new IllegalStateException("interface type " + Validation.quote(nic.getAttribute("type")) + " is not supported");
    }

    /** libvirt answers in KiB whatever unit it was given; accept the units it documents for memory. */
    private static long memoryMiB(Element memory) {
        long value = Long.parseLong(memory.getTextContent().trim());
        String unit = memory.getAttribute("unit");
        long bytes = switch (unit.isEmpty() ? "kib" : unit.toLowerCase(Locale.ROOT)) {
            case "b", "bytes" -> value;
            case "k", "kib" -> value * Validation.KIB;
            case "m", "mib" -> value * Validation.MIB;
            case "g", "gib" -> value * Validation.GIB;
            case "t", "tib" -> value * Validation.TIB;
            default -> throw new IllegalStateException("unknown memory unit " + Validation.quote(unit));
        };
        return bytes / Validation.MIB;
    }

    private static void requireUuid(String id) {
        try {
            if (id != null && UUID.fromString(id).toString().equals(id)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the one error message below
        }
        throw QuantixException.invalid("VM id " + Validation.quote(id) + " must be a lower-case UUID");
    }

    private static String libvirtBoot(BootDevice boot) {
        return switch (boot) {
            case DISK -> "hd";
            case CDROM -> "cdrom";
            case NETWORK -> "network";
        };
    }

    private static VolumeFormat format(String id) {
        return VolumeFormat.valueOf(upper(id));
    }

    private static String id(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String upper(String id) {
        return id.toUpperCase(Locale.ROOT);
    }

    private static String text(Element parent, String name) {
        Element e = Xml.first(parent, name);
        if (e == null) {
            throw new IllegalStateException("<" + parent.getTagName() + "> has no <" + name + ">");
        }
        return e.getTextContent().trim();
    }
}
