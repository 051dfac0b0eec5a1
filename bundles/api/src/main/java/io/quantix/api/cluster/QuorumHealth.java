package io.quantix.api.cluster;

import io.quantix.api.Validation;

/**
 * @param voters voting members in the ensemble's configuration
 * @param votersUp voting members whose ZooKeeper answered now
 * @param hasQuorum a majority of the voters is up, so the cluster can change state
 */
public record QuorumHealth(int voters, int votersUp, boolean hasQuorum) {
    public QuorumHealth {
        Validation.range("voters", voters, 0, Integer.MAX_VALUE);
        Validation.range("voters up", votersUp, 0, voters);
    }
}
