package io.quantix.api.cluster;

import io.quantix.api.Validation;
import java.util.List;
import java.util.Optional;

/**
 * The cluster as this node sees it.
 *
 * @param clustered false while the node is alone (then everything else is empty)
 * @param localNodeId this node's id
 * @param members every member, sorted by name
 * @param zookeeperLeader the id of the member whose ZooKeeper leads; empty without quorum or with an external ensemble
 */
public record ClusterStatus(boolean clustered, Optional<String> name, Optional<String> clusterId, String localNodeId,
        List<ClusterMember> members, Optional<String> zookeeperLeader, QuorumHealth quorum) {
    public ClusterStatus {
        Validation.required("cluster name", name);
        Validation.required("cluster id", clusterId);
        Validation.required("local node id", localNodeId);
        members = List.copyOf(Validation.list("members", members));
        Validation.required("ZooKeeper leader", zookeeperLeader);
        Validation.required("quorum", quorum);
    }

    /** The member with this id. */
    public Optional<ClusterMember> member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst();
    }
}
