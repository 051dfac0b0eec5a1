package io.quantix.scheduler;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node as the scheduler sees it.
 *
 * @param id the node's stable id; placements and ties are decided by it
 * @param cpus physical CPUs (threads)
 * @param memoryBytes physical memory
 * @param usedCpus vCPUs allocated on the node: its guests' and any the scheduler does not know (the host's reserve,
 *        VMs outside the state), so at least the sum over its guests in the {@link ClusterState}
 * @param usedMemoryBytes memory allocated the same way
 * @param backends hypervisor backends it runs ({@code libvirt}, ...)
 * @param pools storage pools it reaches
 * @param networks networks it reaches
 * @param labels labels a guest can require ({@code ssd}, {@code zone=a}; the syntax of VM tags)
 * @param maintenance in maintenance: it takes no new guest
 * @param reachable its record is alive; an unreachable node takes nothing and gives nothing
 */
public record Node(String id, String name, int cpus, long memoryBytes, int usedCpus, long usedMemoryBytes,
        Set<String> backends, Set<String> pools, Set<String> networks, Set<String> labels, boolean maintenance,
        boolean reachable) {
    public Node {
        Validation.required("node id", id);
        Validation.required("node name", name);
        if (id.isBlank() || name.isBlank()) {
            throw QuantixException.invalid("a node's id and name must not be blank");
        }
        Validation.range("node " + name + " CPUs", cpus, 1, 1 << 20);
        Validation.range("node " + name + " memory (bytes)", memoryBytes, 1, Long.MAX_VALUE / 128);
        Validation.range("node " + name + " used CPUs", usedCpus, 0, Integer.MAX_VALUE);
        Validation.range("node " + name + " used memory (bytes)", usedMemoryBytes, 0, Long.MAX_VALUE / 128);
        backends = Validation.set("backends", backends);
        backends.forEach(b -> Validation.name("hypervisor backend", b));
        pools = Validation.set("pools", pools);
        pools.forEach(p -> Validation.name("storage pool", p));
        networks = Validation.set("networks", networks);
        networks.forEach(n -> Validation.name("network", n));
        labels = Validation.tags(labels);
    }

    /** The same node with more (or, negative, fewer) CPUs and memory allocated. */
    public Node withAllocated(int cpuDelta, long memoryDelta) {
        return new Node(id, name, cpus, memoryBytes, usedCpus + cpuDelta, usedMemoryBytes + memoryDelta, backends, pools,
                networks, labels, maintenance, reachable);
    }

    public static Builder builder(String id, String name) {
        return new Builder(id, name);
    }

    /** A reachable node out of maintenance with nothing allocated, no backend, pool, network or label. */
    public static final class Builder {
        private final String id;
        private final String name;
        private int cpus = 1;
        private long memoryBytes = Validation.GIB;
        private int usedCpus;
        private long usedMemoryBytes;
        private final Set<String> backends = new TreeSet<>();
        private final Set<String> pools = new TreeSet<>();
        private final Set<String> networks = new TreeSet<>();
        private final Set<String> labels = new TreeSet<>();
        private boolean maintenance;
        private boolean reachable = true;

        private Builder(String id, String name) {
            this.id = id;
            this.name = name;
        }

        public Builder cpus(int value) { cpus = value; return this; }
        public Builder memoryBytes(long value) { memoryBytes = value; return this; }
        public Builder usedCpus(int value) { usedCpus = value; return this; }
        public Builder usedMemoryBytes(long value) { usedMemoryBytes = value; return this; }
        public Builder backend(String value) { backends.add(value); return this; }
        public Builder pool(String value) { pools.add(value); return this; }
        public Builder network(String value) { networks.add(value); return this; }
        public Builder label(String value) { labels.add(value); return this; }
        public Builder maintenance(boolean value) { maintenance = value; return this; }
        public Builder reachable(boolean value) { reachable = value; return this; }

        public Node build() {
            return new Node(id, name, cpus, memoryBytes, usedCpus, usedMemoryBytes, backends, pools, networks, labels,
                    maintenance, reachable);
        }
    }
}
