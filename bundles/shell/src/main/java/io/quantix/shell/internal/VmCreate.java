package io.quantix.shell.internal;

import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.Firmware;
import io.quantix.api.NicSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.service.VmService;
import java.util.List;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-create", description = "Creates a VM: its disks, NICs and definition; all or nothing")
public class VmCreate extends QxAction {
    @Reference
    VmService vms;

    @Argument(name = "name", required = true, description = "VM name")
    String name;

    @Option(name = "--cpus", description = "vCPU count")
    int cpus = 1;

    @Option(name = "--memory", description = "RAM, e.g. 512M or 2G")
    String memory = "512M";

    @Option(name = "--disk", multiValued = true, description = "a new disk: POOL:SIZE[:qcow2|raw], e.g. default:10G; without a format the pool's own (qcow2, raw on a pool without qcow2 such as ceph or iscsi)")
    List<String> disks = List.of();

    @Option(name = "--nic", multiValued = true, description = "a NIC on a network")
    @Completion(NetworkNameCompleter.class)
    List<String> nics = List.of();

    @Option(name = "--uefi", description = "boot with UEFI firmware (Secure Boot off) instead of BIOS")
    boolean uefi;

    @Option(name = "--secure-boot", description = "boot with UEFI and Secure Boot on (enrolled keys): only signed"
            + " boot loaders start")
    boolean secureBoot;

    @Option(name = "--tag", multiValued = true, description = "a tag: a name, or key=value such as role=web")
    List<String> tags = List.of();

    @Option(name = "--hypervisor", description = "hypervisor backend")
    @Completion(BackendNameCompleter.class)
    String hypervisor = "libvirt";

    @Option(name = "--start", description = "start it once created")
    boolean start;

    @Override
    protected Object run() {
        VmSpec.Builder spec = VmSpec.builder(name).hypervisor(hypervisor).vcpus(cpus)
                .memoryMiB(Validation.size("memory", memory) / Validation.MIB)
                .firmware(secureBoot ? Firmware.UEFI_SECURE_BOOT : uefi ? Firmware.UEFI : Firmware.BIOS);
        disks.forEach(d -> spec.disk(disk(d)));
        nics.forEach(n -> spec.nic(NicSpec.of(n)));
        tags.forEach(spec::tag);
        Vm vm = vms.create(spec.build(), start);
        System.out.println("VM " + vm.name() + " created (" + vm.id() + "), " + vm.state());
        return null;
    }

    /** POOL:SIZE[:FORMAT]. */
    static DiskSpec disk(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw QuantixException.invalid("disk " + Validation.quote(text) + " is not POOL:SIZE[:qcow2|raw]");
        }
        Optional<VolumeFormat> format = Optional.empty(); // the pool's own: qcow2, or raw where qcow2 is not offered
        if (parts.length == 3) {
            format = Optional.of(Choices.of("disk format", parts[2], VolumeFormat.class));
        }
        return new DiskSpec(parts[0], Validation.size("disk size", parts[1]), format, DiskBus.VIRTIO);
    }
}
