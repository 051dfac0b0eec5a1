package io.quantix.hypervisor.cloudhypervisor.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import java.nio.file.Path;
import java.util.List;

/** Translates a Quantix VM into Cloud Hypervisor's {@code VmConfig}, and refuses what CH cannot run. */
final class VmConfigs {
    private VmConfigs() {
    }

    /**
     * UNSUPPORTED for what Cloud Hypervisor has no device for: it emulates only virtio (no SATA/SCSI disks, no
     * e1000 NICs) and boots from its firmware's first disk, with no CD-ROM and no network boot.
     */
    static void checkRunnable(VmSpec spec) {
        for (DiskSpec d : spec.disks()) {
            if (d.bus() != DiskBus.VIRTIO) {
                throw unsupported("disk bus " + d.bus() + " of a disk in pool " + d.pool() + "; only VIRTIO");
            }
        }
        for (NicSpec n : spec.nics()) {
            if (n.model() != NicModel.VIRTIO) {
                throw unsupported("NIC model " + n.model() + " on network " + n.network() + "; only VIRTIO");
            }
        }
        for (BootDevice b : spec.bootOrder()) {
            if (b != BootDevice.DISK) {
                throw unsupported("boot device " + b + "; it boots from the first disk only");
            }
        }
    }

    /**
     * @param firmware the firmware for the VM's kind; a VM with direct boot gets its kernel instead
     * @param serialLog the file the guest's serial port writes to
     */
    static ObjectNode build(Vm vm, Path firmware, Path serialLog) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode config = f.objectNode();
        VmSpec spec = vm.spec();
        config.putObject("cpus").put("boot_vcpus", spec.vcpus()).put("max_vcpus", spec.vcpus());
        config.putObject("memory").put("size", spec.memoryMiB() * Validation.MIB);
        ObjectNode payload = config.putObject("payload");
        spec.directBoot().ifPresentOrElse(
                boot -> payload.put("kernel", boot.kernel()).put("initramfs", boot.initrd()).put("cmdline", boot.cmdline()),
                () -> payload.put("firmware", firmware.toString()));
        ArrayNode disks = config.putArray("disks");
        for (int i = 0; i < vm.disks().size(); i++) {
            AttachedDisk d = vm.disks().get(i);
            // Naming the image type stops CH from guessing it from the guest-writable content of a raw image.
            disks.addObject()
                    .put("path", ((DiskSource.File) d.source()).path())
                    .put("readonly", false)
                    .put("image_type", switch (d.format()) {
                        case QCOW2 -> "Qcow2";
                        case RAW -> "Raw";
                    })
                    .put("id", diskId(i));
        }
        ArrayNode net = config.putArray("net");
        for (int i = 0; i < vm.nics().size(); i++) {
            AttachedNic n = vm.nics().get(i);
            net.addObject().put("tap", Taps.name(n)).put("mac", n.mac()).put("id", netId(i));
        }
        config.putObject("serial").put("mode", "File").put("file", serialLog.toString());
        config.putObject("console").put("mode", "Off");
        return config;
    }

    /** Device ids name the counters CH reports for each device. */
    static String diskId(int index) {
        return "disk" + index;
    }

    static String netId(int index) {
        return "net" + index;
    }

    static boolean isDisk(String deviceId) {
        return deviceId.matches("disk\\d+");
    }

    static boolean isNet(String deviceId) {
        return deviceId.matches("net\\d+");
    }

    private static QuantixException unsupported(String what) {
        return new QuantixException(ErrorCode.UNSUPPORTED, "cloud-hypervisor cannot run " + what);
    }
}
