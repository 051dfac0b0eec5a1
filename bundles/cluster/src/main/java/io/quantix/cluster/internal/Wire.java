package io.quantix.cluster.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.VmSpec;
import java.io.IOException;
import java.util.List;

/**
 * What members exchange: the join request and its answer over the join port, and the JSON of the cluster's znodes.
 * Records are read leniently (unknown fields ignored) so that a newer member's additions do not break an older one.
 */
final class Wire {
    static final ObjectMapper JSON = new ObjectMapper()
            // a VmSpec's optional fields (a disk's format, a NIC's MAC, direct boot)
            .registerModule(new Jdk8Module())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Wire() {
    }

    /** From the joining node. {@code server} is its ZooKeeper's address and ports, empty with an external ensemble. */
    record JoinRequest(String token, String nodeId, String nodeName, List<String> addresses, String csr, String serverAddress,
            int quorumPort, int electionPort, int clientPort) {
    }

    /**
     * The admitting member's answer.
     *
     * @param servers the ensemble's dynamic configuration lines ({@code server.N=...}), empty for an external ensemble
     * @param connectString the external ensemble's connect string, or the members' client addresses
     * @param caKey the CA's key in PEM for a voting member (so that it too can admit nodes); null for others
     */
    record JoinResponse(String clusterName, String clusterId, long serverId, String role, List<String> servers,
            String connectString, String secret, String certificate, String caCertificate, String caKey) {
        @Override
        public String toString() {
            return "JoinResponse[" + clusterName + ", server " + serverId + ", " + role + "]";
        }
    }

    record ErrorReply(String code, String message) {
    }

    /** {@code /quantix/cluster}: the cluster itself. */
    record ClusterInfo(String name, String id, String caFingerprint, long createdAtMillis) {
    }

    /** {@code /quantix/cluster/members/<node id>}, persistent: a member until it leaves. */
    record MemberRecord(String id, String name, List<String> addresses, String role, long serverId, long joinedAtMillis) {
    }

    /**
     * {@code /quantix/nodes/<node id>}, ephemeral: the node is up, with what it has and how busy it is.
     *
     * @param allocated what its VMs are given; null from a member older than this field
     * @param maintenance the node takes no new VM (maintenance mode sets it; false until that exists)
     */
    record NodeRecord(String id, String name, List<String> addresses, Capacity capacity, Load load, Allocation allocated,
            boolean maintenance, long heartbeatMillis) {
    }

    /**
     * What the node's VMs are allocated: vCPUs and memory of those that hold them (running or paused), and how many VMs
     * it has in all.
     */
    record Allocation(int vcpus, long memoryBytes, int runningVms, int vms) {
    }

    /**
     * {@code /quantix/vms/<node id>/<vm id>}, persistent: a VM the node owns, with the definition another node needs to
     * start it (HA). Keyed by the owner and the VM's id, so two nodes' VMs never share a znode, whatever their names or
     * ids (libvirt's test driver gives every node the same VM id).
     */
    record VmRecord(String id, String nodeId, PowerState state, long version, VmSpec spec) {
        String name() {
            return spec.name();
        }
    }

    record Capacity(int cpus, long memoryBytes, List<String> hypervisors, List<String> pools, List<String> networks,
            List<String> labels) {
    }

    /** @param loadAverage the host's one-minute load average, -1 where the OS gives none */
    record Load(double loadAverage, long memoryAvailableBytes) {
    }

    static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            // no detail: the parser's message may quote the input, which can hold a token
            throw QuantixException.invalid("malformed " + type.getSimpleName());
        }
    }
}
