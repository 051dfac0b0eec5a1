package io.quantix.api.cluster;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's view of, and part in, its cluster. Every method fails with a {@link io.quantix.api.QuantixException}
 * whose code says why, and a refused call changes nothing on this node or on the cluster:
 * <ul>
 * <li>{@code CONFLICT}: {@link #create}/{@link #join} on a node that already belongs to a cluster; {@link #leave}/
 * {@link #newJoinToken} on one that does not;</li>
 * <li>{@code UNAUTHENTICATED}: a join token that is malformed, unknown, already used or expired, or whose CA
 * fingerprint is not the one of the cluster that answered;</li>
 * <li>{@code ALREADY_EXISTS}: another member already has this node's name;</li>
 * <li>{@code BACKEND_UNAVAILABLE}: the address does not answer, or the cluster has no quorum;</li>
 * <li>{@code INVALID_ARGUMENT}: a bad cluster name, host or port.</li>
 * </ul>
 * Only the cluster bundle implements it: callers use it, so methods may be added in minor versions.
 */
@ProviderType
public interface ClusterService {
    /** The TCP port a member accepts joins on unless configured otherwise. */
    int DEFAULT_JOIN_PORT = 9444;

    /**
     * The refusal of every cluster call on a node without the {@code quantix-cluster} feature (it is not booted on a
     * standalone node), the same from the shell, REST and gRPC.
     */
    static QuantixException notInstalled() {
        return new QuantixException(ErrorCode.BACKEND_UNAVAILABLE,
                "the cluster feature is not installed on this node: feature:install quantix-cluster");
    }

    /**
     * Makes this node a one-member cluster called {@code name}: starts its ZooKeeper (or uses the configured
     * external ensemble), creates the cluster's certificate authority and returns the first join token.
     */
    JoinToken create(String name);

    /** A new single-use join token, valid for the configured time (1 hour unless configured otherwise). */
    JoinToken newJoinToken();

    /**
     * Joins the cluster of the member at {@code host:port} with a token that member's cluster issued. The member's
     * TLS certificate must be signed by the CA whose fingerprint the token names before the token is sent. The
     * first three members vote in ZooKeeper, later ones observe.
     */
    ClusterStatus join(String host, int port, String token);

    /** Leaves the cluster: out of the ZooKeeper ensemble, records removed, local cluster state deleted. */
    void leave();

    /** Members, their roles and heartbeats, the ZooKeeper leader and the quorum; {@link ClusterStatus#clustered()} false when alone. */
    ClusterStatus status();

    /**
     * Every VM of the cluster, by name then owner name, from the records the members publish in ZooKeeper: a member
     * that is down is {@link NodeState#UNREACHABLE} and its VMs are still listed. CONFLICT on a standalone node.
     */
    List<ClusterVm> vms();

    /**
     * A DRS plan (manual mode) over the reachable members and their running VMs; nothing moves. Measured use is not
     * in the records yet, so the plan weighs what each VM is allocated ({@link DrsProposal#basis()} says so).
     * CONFLICT on a standalone node.
     */
    DrsProposal drsPlan();
}
