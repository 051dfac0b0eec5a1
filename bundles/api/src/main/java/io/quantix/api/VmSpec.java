package io.quantix.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a user asks for when creating a VM.
 *
 * @param hypervisor the name of the hypervisor backend the VM lives on ({@code libvirt}, ...)
 * @param memoryMiB guest RAM in MiB
 * @param bootOrder devices tried in order; empty means disk first
 * @param directBoot a kernel to boot straight into instead of the firmware's boot order; empty for most VMs
 */
public record VmSpec(String name, String hypervisor, int vcpus, long memoryMiB, Firmware firmware,
        List<DiskSpec> disks, List<NicSpec> nics, List<BootDevice> bootOrder, Set<String> tags, HaPolicy ha,
        Optional<DirectBoot> directBoot) {

    public static final int MAX_VCPUS = 512;
    public static final long MAX_MEMORY_MIB = 16L * 1024 * 1024;
    public static final int MAX_DISKS = 26;
    public static final int MAX_NICS = 16;

    public VmSpec {
        Validation.name("VM", name);
        Validation.name("hypervisor backend", hypervisor);
        Validation.range("vCPU count", vcpus, 1, MAX_VCPUS);
        Validation.range("memory (MiB)", memoryMiB, 16, MAX_MEMORY_MIB);
        Validation.required("firmware", firmware);
        disks = Validation.list("disks", disks);
        nics = Validation.list("NICs", nics);
        bootOrder = Validation.list("boot order", bootOrder);
        tags = Validation.tags(tags);
        Validation.required("HA policy", ha);
        Validation.required("direct boot", directBoot);
        Validation.range("disk count", disks.size(), 0, MAX_DISKS);
        Validation.range("NIC count", nics.size(), 0, MAX_NICS);
        if (bootOrder.size() != Set.copyOf(bootOrder).size()) {
            throw QuantixException.invalid("boot order names a device twice: " + bootOrder);
        }
    }

    /** The same VM with other tags. */
    public VmSpec withTags(Set<String> newTags) {
        return new VmSpec(name, hypervisor, vcpus, memoryMiB, firmware, disks, nics, bootOrder, newTags, ha, directBoot);
    }

    /** The same spec with these disks. */
    public VmSpec withDisks(List<DiskSpec> value) {
        return new VmSpec(name, hypervisor, vcpus, memoryMiB, firmware, value, nics, bootOrder, tags, ha, directBoot);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a spec with the node's defaults: libvirt, 1 vCPU, 512 MiB, BIOS, no devices. */
    public static final class Builder {
        private final String name;
        private String hypervisor = "libvirt";
        private int vcpus = 1;
        private long memoryMiB = 512;
        private Firmware firmware = Firmware.BIOS;
        private final List<DiskSpec> disks = new ArrayList<>();
        private final List<NicSpec> nics = new ArrayList<>();
        private final List<BootDevice> bootOrder = new ArrayList<>();
        private final Set<String> tags = new TreeSet<>();
        private HaPolicy ha = HaPolicy.DISABLED;
        private Optional<DirectBoot> directBoot = Optional.empty();

        private Builder(String name) {
            this.name = name;
        }

        public Builder hypervisor(String value) { hypervisor = value; return this; }
        public Builder vcpus(int value) { vcpus = value; return this; }
        public Builder memoryMiB(long value) { memoryMiB = value; return this; }
        public Builder firmware(Firmware value) { firmware = value; return this; }
        public Builder disk(DiskSpec value) { disks.add(value); return this; }
        public Builder nic(NicSpec value) { nics.add(value); return this; }
        public Builder boot(BootDevice value) { bootOrder.add(value); return this; }
        public Builder tag(String value) { tags.add(value); return this; }
        public Builder ha(HaPolicy value) { ha = value; return this; }
        public Builder directBoot(DirectBoot value) {
            directBoot = Optional.of(Validation.required("direct boot", value));
            return this;
        }

        public VmSpec build() {
            return new VmSpec(name, hypervisor, vcpus, memoryMiB, firmware, disks, nics, bootOrder, tags, ha, directBoot);
        }
    }
}
