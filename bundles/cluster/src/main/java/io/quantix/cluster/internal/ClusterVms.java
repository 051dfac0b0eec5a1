package io.quantix.cluster.internal;

import io.quantix.api.DiskSpec;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerState;
import io.quantix.api.Validation;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsMove;
import io.quantix.api.cluster.DrsProposal;
import io.quantix.api.cluster.NodeState;
import io.quantix.scheduler.ClusterState;
import io.quantix.scheduler.Drs;
import io.quantix.scheduler.DrsInput;
import io.quantix.scheduler.DrsPlan;
import io.quantix.scheduler.DrsPolicy;
import io.quantix.scheduler.Guest;
import io.quantix.scheduler.Move;
import io.quantix.scheduler.Node;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The cluster's VMs and DRS plan, worked out from the members' records alone: a pure function of what ZooKeeper holds, so
 * every member answers the same.
 */
final class ClusterVms {
    private ClusterVms() {
    }

    /** The states in which a VM holds its CPUs and memory on its node, and which a live migration can move. */
    static boolean holdsResources(PowerState state) {
        return state == PowerState.RUNNING || state == PowerState.PAUSED;
    }

    /**
     * @param names member names by node id (a node that is no longer a member shows its id)
     * @param online the ids of the nodes whose ephemeral record exists
     */
    static List<ClusterVm> list(Collection<Wire.VmRecord> records, Map<String, String> names, Set<String> online) {
        Map<String, Set<String>> ownersByName = owners(records);
        List<ClusterVm> vms = new ArrayList<>(records.size());
        for (Wire.VmRecord r : records) {
            List<String> clash = ownersByName.get(r.name()).stream().filter(id -> !id.equals(r.nodeId()))
                    .map(id -> names.getOrDefault(id, id)).sorted().toList();
            vms.add(new ClusterVm(r.id(), r.name(), r.nodeId(), names.getOrDefault(r.nodeId(), r.nodeId()),
                    online.contains(r.nodeId()) ? NodeState.ONLINE : NodeState.UNREACHABLE, r.spec().vcpus(), r.spec().memoryMiB(),
                    r.state(), r.spec().hypervisor(), r.version(), clash));
        }
        vms.sort(Comparator.comparing(ClusterVm::name).thenComparing(ClusterVm::nodeName).thenComparing(ClusterVm::id));
        return vms;
    }

    /**
     * A manual DRS plan over the reachable nodes (those with a record) and their running VMs. The records carry no measured
     * use, so every figure is allocated: a VM counts as busy as it is big. VMs whose name clashes are left out (the
     * scheduler knows a guest by its name), but what they hold still counts on their node.
     *
     * @param nodes the records of the reachable nodes, by node id
     * @param names member names by node id
     */
    static DrsProposal plan(Collection<Wire.VmRecord> records, Map<String, Wire.NodeRecord> nodes, Map<String, String> names, Instant now) {
        Map<String, Long> perName = records.stream().filter(r -> holdsResources(r.state()))
                .collect(Collectors.groupingBy(Wire.VmRecord::name, Collectors.counting()));
        Map<String, List<Guest>> guests = new HashMap<>();
        Set<String> clashing = new TreeSet<>();
        Map<String, Integer> unreachableVms = new HashMap<>();
        Map<String, long[]> held = new HashMap<>();
        int running = 0;
        for (Wire.VmRecord r : records) {
            if (!holdsResources(r.state())) {
                continue;
            }
            if (!nodes.containsKey(r.nodeId())) {
                unreachableVms.merge(names.getOrDefault(r.nodeId(), r.nodeId()), 1, Integer::sum);
                continue;
            }
            long[] sum = held.computeIfAbsent(r.nodeId(), k -> new long[2]);
            sum[0] += r.spec().vcpus();
            sum[1] += r.spec().memoryMiB() * Validation.MIB;
            if (perName.get(r.name()) > 1) {
                clashing.add(r.name());
                continue;
            }
            running++;
            guests.computeIfAbsent(r.nodeId(), k -> new ArrayList<>()).add(guest(r));
        }
        List<Node> state = new ArrayList<>();
        for (Wire.NodeRecord n : nodes.values()) {
            long[] sum = held.getOrDefault(n.id(), new long[2]);
            // the node's own count may include VMs whose records are not written yet; never less than the records
            Wire.Allocation own = n.allocated() == null ? new Wire.Allocation(0, 0, 0, 0) : n.allocated();
            state.add(new Node(n.id(), n.name(), n.capacity().cpus(), n.capacity().memoryBytes(), (int) Math.max(own.vcpus(), sum[0]),
                    Math.max(own.memoryBytes(), sum[1]), Set.copyOf(n.capacity().hypervisors()), Set.copyOf(n.capacity().pools()),
                    Set.copyOf(n.capacity().networks()), Set.copyOf(n.capacity().labels()), n.maintenance(), true));
        }
        state.sort(Comparator.comparing(Node::name));
        DrsPlan plan = Drs.plan(new ClusterState(state, guests), new DrsInput(Map.of(), Map.of(), Map.of(), now),
                DrsPolicy.builder().build());
        List<DrsMove> moves = new ArrayList<>();
        for (Move m : plan.moves()) {
            moves.add(new DrsMove(m.guest(), names.getOrDefault(m.from(), m.from()), names.getOrDefault(m.to(), m.to()),
                    m.imbalanceBefore(), m.imbalanceAfter(), m.reason()));
        }
        StringBuilder basis = new StringBuilder("allocated vCPUs and memory of ").append(running).append(" running VMs on ")
                .append(state.size()).append(state.size() == 1 ? " reachable node" : " reachable nodes")
                .append(" (the cluster's records carry no measured use yet; no migration history, so no VM is held back)");
        if (!unreachableVms.isEmpty()) {
            basis.append("; left out, unreachable: ").append(unreachableVms.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + " (" + e.getValue() + " VMs)").collect(Collectors.joining(", ")));
        }
        if (!clashing.isEmpty()) {
            basis.append("; not moved, their names clash: ").append(String.join(", ", clashing));
        }
        return new DrsProposal(plan.imbalanceBefore(), plan.imbalanceAfter(), moves, plan.summary(), basis.toString());
    }

    private static Guest guest(Wire.VmRecord r) {
        Guest.Builder g = Guest.builder(r.name()).vcpus(r.spec().vcpus()).memoryBytes(r.spec().memoryMiB() * Validation.MIB)
                .backend(r.spec().hypervisor());
        r.spec().disks().stream().map(DiskSpec::pool).forEach(g::pool);
        r.spec().nics().stream().map(NicSpec::network).forEach(g::network);
        return g.build();
    }

    /** The ids of the nodes that own a VM of each name. */
    private static Map<String, Set<String>> owners(Collection<Wire.VmRecord> records) {
        Map<String, Set<String>> owners = new HashMap<>();
        for (Wire.VmRecord r : records) {
            owners.computeIfAbsent(r.name(), k -> new TreeSet<>()).add(r.nodeId());
        }
        return owners;
    }
}
