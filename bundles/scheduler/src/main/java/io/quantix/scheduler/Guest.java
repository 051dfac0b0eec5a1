package io.quantix.scheduler;

import io.quantix.api.Validation;
import io.quantix.api.VmSpec;
import java.util.Set;
import java.util.TreeSet;

/**
 * A guest (VM) to place, or one placed already.
 *
 * @param name the VM's name, unique in the cluster
 * @param backend the hypervisor backend it needs
 * @param pools the storage pools its disks are in: the node must reach every one
 * @param networks the networks its NICs are on: the node must reach every one
 * @param requiredLabels labels the node must carry, every one
 * @param affinityGroups groups whose guests run together: once a group has a guest placed, the others go where
 *        one of them runs
 * @param antiAffinityGroups groups whose guests never share a node
 */
public record Guest(String name, int vcpus, long memoryBytes, String backend, Set<String> pools, Set<String> networks,
        Set<String> requiredLabels, Set<String> affinityGroups, Set<String> antiAffinityGroups) {
    public Guest {
        Validation.name("VM", name);
        Validation.range("guest " + name + " vCPU count", vcpus, 1, VmSpec.MAX_VCPUS);
        Validation.range("guest " + name + " memory (bytes)", memoryBytes, Validation.MIB,
                VmSpec.MAX_MEMORY_MIB * Validation.MIB);
        Validation.name("hypervisor backend", backend);
        pools = Validation.set("pools", pools);
        pools.forEach(p -> Validation.name("storage pool", p));
        networks = Validation.set("networks", networks);
        networks.forEach(n -> Validation.name("network", n));
        requiredLabels = Validation.tags(requiredLabels);
        affinityGroups = Validation.set("affinity groups", affinityGroups);
        affinityGroups.forEach(g -> Validation.name("affinity group", g));
        antiAffinityGroups = Validation.set("anti-affinity groups", antiAffinityGroups);
        antiAffinityGroups.forEach(g -> Validation.name("anti-affinity group", g));
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A guest with VmSpec's defaults (libvirt, 1 vCPU, 512 MiB) that needs no pool, network, label or group. */
    public static final class Builder {
        private final String name;
        private int vcpus = 1;
        private long memoryBytes = 512 * Validation.MIB;
        private String backend = "libvirt";
        private final Set<String> pools = new TreeSet<>();
        private final Set<String> networks = new TreeSet<>();
        private final Set<String> requiredLabels = new TreeSet<>();
        private final Set<String> affinityGroups = new TreeSet<>();
        private final Set<String> antiAffinityGroups = new TreeSet<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder vcpus(int value) { vcpus = value; return this; }
        public Builder memoryBytes(long value) { memoryBytes = value; return this; }
        public Builder backend(String value) { backend = value; return this; }
        public Builder pool(String value) { pools.add(value); return this; }
        public Builder network(String value) { networks.add(value); return this; }
        public Builder requiredLabel(String value) { requiredLabels.add(value); return this; }
        public Builder affinityGroup(String value) { affinityGroups.add(value); return this; }
        public Builder antiAffinityGroup(String value) { antiAffinityGroups.add(value); return this; }

        public Guest build() {
            return new Guest(name, vcpus, memoryBytes, backend, pools, networks, requiredLabels, affinityGroups,
                    antiAffinityGroups);
        }
    }
}
