package io.quantix.rest.internal;

import io.quantix.api.BootDevice;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.Firmware;
import io.quantix.api.HaPolicy;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.Validation;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /vms}: a VM spec in which every field but the name may be left out to take the node's
 * default, the same as {@code qx:vm-create} ({@link VmSpec.Builder}): libvirt, 1 vCPU, 512 MiB, BIOS; disks on
 * virtio in the pool's own format (qcow2, or raw where the pool offers no qcow2), NICs virtio with a generated MAC. Null only lives here, between JSON and the builder.
 */
record VmCreateRequest(String name, String hypervisor, Integer vcpus, Long memoryMiB, Firmware firmware,
        List<DiskRequest> disks, List<NicRequest> nics, List<BootDevice> bootOrder, Set<String> tags, HaPolicy ha,
        DirectBoot directBoot) {

    record DiskRequest(String pool, Long sizeBytes, VolumeFormat format, DiskBus bus) {
        DiskSpec toSpec() {
            return new DiskSpec(pool, Validation.required("disk sizeBytes", sizeBytes),
                    Optional.ofNullable(format), bus == null ? DiskBus.VIRTIO : bus);
        }
    }

    record NicRequest(String network, String mac, NicModel model) {
        NicSpec toSpec() {
            return new NicSpec(network, Optional.ofNullable(mac), model == null ? NicModel.VIRTIO : model);
        }
    }

    VmSpec toSpec() {
        VmSpec.Builder spec = VmSpec.builder(name);
        Optional.ofNullable(hypervisor).ifPresent(spec::hypervisor);
        Optional.ofNullable(vcpus).ifPresent(spec::vcpus);
        Optional.ofNullable(memoryMiB).ifPresent(spec::memoryMiB);
        Optional.ofNullable(firmware).ifPresent(spec::firmware);
        Optional.ofNullable(ha).ifPresent(spec::ha);
        Optional.ofNullable(directBoot).ifPresent(spec::directBoot);
        orEmpty(disks).forEach(d -> spec.disk(Validation.required("disk", d).toSpec()));
        orEmpty(nics).forEach(n -> spec.nic(Validation.required("NIC", n).toSpec()));
        orEmpty(bootOrder).forEach(b -> spec.boot(Validation.required("boot device", b)));
        Optional.ofNullable(tags).orElse(Set.of()).forEach(t -> spec.tag(Validation.required("tag", t)));
        return spec.build();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
