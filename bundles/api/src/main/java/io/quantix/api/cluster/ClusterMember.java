package io.quantix.api.cluster;

import io.quantix.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One node of the cluster.
 *
 * @param id the node's id ({@code NodeService.info().id()})
 * @param addresses where the node is reached (its cluster address first)
 * @param zookeeperLeader its ZooKeeper server leads the ensemble now
 * @param online its ephemeral record exists: its ZooKeeper session is alive
 * @param lastHeartbeat when its record was last refreshed; empty when it has none
 */
public record ClusterMember(String id, String name, List<String> addresses, MemberRole role, boolean zookeeperLeader,
        boolean online, Optional<Instant> lastHeartbeat) {
    public ClusterMember {
        Validation.required("member id", id);
        Validation.required("member name", name);
        addresses = List.copyOf(Validation.list("addresses", addresses));
        Validation.required("role", role);
        Validation.required("last heartbeat", lastHeartbeat);
    }
}
