package io.quantix.api.cluster;

import io.quantix.api.PowerState;
import io.quantix.api.Validation;
import java.util.List;

/**
 * A VM of the cluster as its owning node last published it.
 *
 * @param nodeId the owning node's id
 * @param nodeName the owning node's name; its id when the node is no longer a member
 * @param nodeState whether the owner answers now; the other fields are its last record either way
 * @param state the power state the owner last published
 * @param version the owner's revision of the VM ({@link io.quantix.api.Vm#version()})
 * @param nameClash the names of the other nodes that own a VM of this name, sorted; empty unless the name clashes. A
 *        clash is shown, never resolved by overwriting: each node's VM keeps its own record
 */
public record ClusterVm(String id, String name, String nodeId, String nodeName, NodeState nodeState, int vcpus, long memoryMiB,
        PowerState state, String hypervisor, long version, List<String> nameClash) {
    public ClusterVm {
        Validation.required("VM id", id);
        Validation.required("VM name", name);
        Validation.required("node id", nodeId);
        Validation.required("node name", nodeName);
        Validation.required("node state", nodeState);
        Validation.required("power state", state);
        Validation.required("hypervisor", hypervisor);
        nameClash = List.copyOf(Validation.list("name clash", nameClash));
    }
}
