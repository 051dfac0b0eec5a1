package io.quantix.cluster.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How this node takes part in a cluster (from {@code etc/io.quantix.cluster.cfg}).
 *
 * @param stateDir where the node keeps its cluster identity and keys ({@code <config>/cluster})
 * @param zookeeperDir the embedded ZooKeeper's folder ({@code <data>/zookeeper})
 * @param address the address other members reach this node at: the join port and ZooKeeper listen on it
 * @param externalEnsemble an external ZooKeeper ensemble's connect string; then no server is embedded
 * @param labels {@code key=value} or plain labels the scheduler can require
 */
record ClusterSettings(Path stateDir, Path zookeeperDir, String address, int joinPort, int clientPort, int quorumPort,
        int electionPort, Optional<String> externalEnsemble, Duration heartbeat, Duration tokenTtl, Duration sessionTimeout,
        Duration tickTime, List<String> labels) {
    ClusterSettings {
        Validation.required("cluster state folder", stateDir);
        Validation.required("ZooKeeper folder", zookeeperDir);
        Validation.required("cluster address", address);
        if (address.isBlank()) {
            throw QuantixException.invalid("the cluster address is empty");
        }
        for (int port : new int[] {joinPort, clientPort, quorumPort, electionPort}) {
            Validation.range("port", port, 0, 65535);
        }
        Validation.required("external ensemble", externalEnsemble);
        labels = List.copyOf(Validation.list("labels", labels));
        labels.forEach(Validation::tag);
        if (heartbeat.isNegative() || heartbeat.isZero() || tokenTtl.isNegative() || tokenTtl.isZero()) {
            throw QuantixException.invalid("the heartbeat and the token lifetime must be positive");
        }
    }
}
