package io.quantix.cluster.internal;

import io.quantix.api.BackendKind;
import io.quantix.api.ErrorCode;
import io.quantix.api.NodeInfo;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsProposal;
import io.quantix.api.cluster.JoinToken;
import io.quantix.api.cluster.MemberRole;
import io.quantix.api.cluster.QuorumHealth;
import io.quantix.zookeeper.ClusterSecretAuthenticationProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's membership in a cluster: the ZooKeeper server it embeds, its Curator session, its records in ZooKeeper,
 * its join port, and the create/join/leave transitions between being alone and being a member.
 *
 * <p>The ZooKeeper layout, laid out so that VM ownership and HA fit beside membership:
 * <pre>
 * /quantix/cluster                  ClusterInfo: name, id, CA fingerprint
 * /quantix/cluster/tokens/&lt;sha256&gt;  a join token's expiry (the secret's hash names it; deleted when used)
 * /quantix/cluster/members/&lt;node&gt;   MemberRecord, persistent: a member until it leaves
 * /quantix/cluster/server-ids/      sequential znodes that hand out ZooKeeper server ids
 * /quantix/nodes/&lt;node&gt;             NodeRecord, ephemeral: capacity, load, heartbeat; gone when the session is
 * /quantix/vms/&lt;node&gt;/&lt;vm id&gt;     VmRecord, persistent: a VM the node owns and its spec (VmPublisher); kept while
 *                                   the node is down, so that the list shows it and HA can restart it elsewhere
 * /quantix/leaders/ha, /drs         (for HA and DRS) Curator leader latches
 * </pre>
 * Every znode carries the ACL of {@link ClusterSecretAuthenticationProvider#MEMBER}: a client without the cluster
 * secret can read or change none of it.
 */
final class ClusterNode implements ClusterService, AutoCloseable {
    static final String ROOT = "/quantix";
    static final String CLUSTER = ROOT + "/cluster";
    static final String TOKENS = CLUSTER + "/tokens";
    static final String MEMBERS = CLUSTER + "/members";
    static final String SERVER_IDS = CLUSTER + "/server-ids";
    static final String NODES = ROOT + "/nodes";
    static final String VMS = ROOT + "/vms";
    static final String LEADERS = ROOT + "/leaders";
    /** Voting members: the first three; later members observe. */
    static final int VOTERS = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    /** How often a member reads its VM records back and repairs them, besides on every change. */
    private static final Duration VM_RECONCILE = Duration.ofMinutes(1);
    /** How long a list waits for this member's first read of the VM records (right after it joined or started). */
    private static final Duration VM_RECORDS_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    // not List.of: ZooKeeper asks the list whether it contains null, which List.of answers with an exception
    private static final List<ACL> MEMBERS_ONLY = java.util.Collections.singletonList(new ACL(ZooDefs.Perms.ALL, ClusterSecretAuthenticationProvider.MEMBER));
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** What the node has, for its record: its identity and capacity, the pools and networks it reaches. */
    record NodeFacts(NodeInfo info, List<String> pools, List<String> networks) {
    }

    private final ClusterSettings settings;
    private final Supplier<NodeFacts> facts;
    private final Supplier<Optional<List<Vm>>> vms;
    private final Clock clock;
    private final LocalState local;
    private volatile Session session;

    /** @param vms the VMs this node owns; empty while its VM service is away (then its records stay as they are) */
    ClusterNode(ClusterSettings settings, Supplier<NodeFacts> facts, Supplier<Optional<List<Vm>>> vms, Clock clock) {
        this.settings = settings;
        this.facts = facts;
        this.vms = vms;
        this.clock = clock;
        this.local = new LocalState(settings.stateDir());
    }

    /**
     * Takes up the membership this node had before it stopped, if any: starts its ZooKeeper with the last ensemble it
     * knew and connects without waiting (a restarting member may be the one that brings the quorum back).
     */
    synchronized void open() {
        Optional<LocalState.Membership> membership = local.read();
        if (membership.isEmpty()) {
            return;
        }
        LocalState.Membership m = membership.get();
        LOG.info("Rejoining cluster '{}' as ZooKeeper server {} ({})", m.clusterName(), m.serverId(), m.role());
        Session s = new Session(m, local.readFile(LocalState.SECRET), Keys.read(local));
        try {
            s.start(connectString(m), false);
            s.startRecord(false);
            s.startJoinServer();
            session = s;
        } catch (Exception e) {
            s.close();
            LOG.error("Cannot take up the membership in cluster '{}': {}", m.clusterName(), e.toString());
            throw failure("take up the cluster membership", e);
        }
    }

    @Override
    public synchronized void close() {
        Session s = session;
        session = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public synchronized JoinToken create(String name) {
        Validation.name("cluster", name);
        requireAlone();
        NodeInfo node = facts.get().info();
        Instant now = clock.instant();
        ClusterCa ca = ClusterCa.create(name, now);
        KeyPair nodeKeys = newKeyPair();
        X509Certificate nodeCert = ca.sign(ClusterCa.csr(nodeKeys, node.id()), node.id(), List.of(settings.address()), now);
        Keys keys = new Keys(nodeKeys.getPrivate(), nodeCert, ca.certificate(), Optional.of(ca.key()));
        MemberRole role = settings.externalEnsemble().isPresent() ? MemberRole.CLIENT : MemberRole.PARTICIPANT;
        long serverId = role == MemberRole.CLIENT ? 0 : 1;
        List<String> servers = role == MemberRole.CLIENT ? List.of() : List.of(ownServer(serverId, role).line());
        LocalState.Membership m = new LocalState.Membership(name, UUID.randomUUID().toString(), serverId, role, servers,
                settings.externalEnsemble());
        Session s = new Session(m, newSecret(), keys);
        try {
            s.start(connectString(m), true);
            try {
                s.client.create().creatingParentsIfNeeded().forPath(CLUSTER,
                        Wire.write(new Wire.ClusterInfo(name, m.clusterId(), ca.fingerprint(), now.toEpochMilli())));
            } catch (KeeperException.NodeExistsException e) {
                throw new QuantixException(ErrorCode.CONFLICT, "the ZooKeeper ensemble already holds a Quantix cluster: join it instead");
            }
            for (String path : List.of(TOKENS, MEMBERS, SERVER_IDS, NODES, VMS, LEADERS)) {
                s.client.create().creatingParentsIfNeeded().forPath(path);
            }
            s.writeMember(node, now);
            s.startRecord(true);
            s.startJoinServer();
            JoinToken token = s.issueToken();
            save(s);
            session = s;
            LOG.info("Created cluster '{}' ({}); CA fingerprint {}", name, m.clusterId(), ca.fingerprint());
            return token;
        } catch (Exception e) {
            abandon(s);
            throw failure("create the cluster", e);
        }
    }

    @Override
    public JoinToken newJoinToken() {
        try {
            return requireSession().issueToken();
        } catch (QuantixException e) {
            throw e;
        } catch (Exception e) {
            throw failure("make a join token", e);
        }
    }

    @Override
    public synchronized ClusterStatus join(String host, int port, String token) {
        requireAlone();
        if (host == null || !HOST.matcher(host).matches()) {
            throw QuantixException.invalid("not a host name or IPv4 address: " + Validation.quote(String.valueOf(host)));
        }
        Validation.range("join port", port, 1, 65535);
        JoinTokens.Parsed parsed = JoinTokens.parse(token);
        NodeInfo node = facts.get().info();
        KeyPair nodeKeys = newKeyPair();
        boolean embedded = settings.externalEnsemble().isEmpty();
        Wire.JoinRequest request = new Wire.JoinRequest(token, node.id(), node.name(), List.of(settings.address()),
                ClusterCa.csr(nodeKeys, node.id()), settings.address(), embedded ? settings.quorumPort() : 0,
                embedded ? settings.electionPort() : 0, embedded ? settings.clientPort() : 0);
        Wire.JoinResponse response = JoinClient.join(host, port, parsed.caDigest(), request);
        // From here on the token is used up: a failure below leaves the cluster as it was, but needs a new token.
        X509Certificate ca = ClusterCa.parseCertificate(response.caCertificate());
        if (!java.security.MessageDigest.isEqual(JoinTokens.sha256(encoded(ca)), parsed.caDigest())) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "the member sent a CA certificate other than the token's");
        }
        Keys keys = new Keys(nodeKeys.getPrivate(), ClusterCa.parseCertificate(response.certificate()), ca,
                Optional.ofNullable(response.caKey()).map(ClusterCa::parseKey));
        MemberRole role = MemberRole.valueOf(response.role());
        List<String> servers = new ArrayList<>(response.servers());
        if (role != MemberRole.CLIENT) {
            servers.add(ownServer(response.serverId(), role).line());
        }
        LocalState.Membership m = new LocalState.Membership(response.clusterName(), response.clusterId(), response.serverId(), role,
                servers, settings.externalEnsemble());
        Session s = new Session(m, response.secret(), keys);
        boolean reconfigured = false;
        try {
            // the members that are in the ensemble now, not this node's server, which serves only once it is added
            s.start(response.connectString(), true);
            if (role != MemberRole.CLIENT) {
                // ZooKeeper adds a server only once it follows the leader (synced, not yet voting)
                awaitFollowing(START_TIMEOUT);
                s.client.reconfig().joining(ownServer(response.serverId(), role).line()).forEnsemble();
                reconfigured = true;
            }
            s.writeMember(node, clock.instant());
            s.startRecord(true);
            s.startJoinServer();
            save(s);
            session = s;
            LOG.info("Joined cluster '{}' as ZooKeeper server {} ({})", m.clusterName(), m.serverId(), role);
        } catch (Exception e) {
            if (reconfigured) {
                s.leaveEnsemble();
            }
            s.deleteMember(node.id());
            abandon(s);
            throw failure("join the cluster (the token is used up: make a new one)", e);
        }
        return status();
    }

    @Override
    public synchronized void leave() {
        Session s = requireSession();
        String nodeId = facts.get().info().id();
        List<EmbeddedZooKeeper.Server> servers = s.liveServers().orElseThrow(() -> new QuantixException(ErrorCode.BACKEND_UNAVAILABLE,
                "the cluster has no ZooKeeper quorum: a member can leave only while the others can agree"));
        boolean last = servers.stream().allMatch(server -> server.id() == s.membership.serverId());
        try {
            if (s.membership.role() != MemberRole.CLIENT && !last) {
                s.client.reconfig().leaving(Long.toString(s.membership.serverId())).forEnsemble();
            }
            // a member that leaves takes its VMs' records along: they are no longer the cluster's
            s.closeVmRecords();
            s.client.delete().quietly().deletingChildrenIfNeeded().forPath(VMS + "/" + nodeId);
            s.client.delete().guaranteed().forPath(MEMBERS + "/" + nodeId);
        } catch (KeeperException.BadArgumentsException e) {
            throw new QuantixException(ErrorCode.CONFLICT, "ZooKeeper refused to remove this member: " + e.getMessage());
        } catch (Exception e) {
            throw failure("leave the cluster", e);
        }
        LOG.info("Left cluster '{}'", s.membership.clusterName());
        session = null;
        abandon(s);
    }

    @Override
    public ClusterStatus status() {
        String localId = facts.get().info().id();
        Session s = session;
        if (s == null) {
            return new ClusterStatus(false, Optional.empty(), Optional.empty(), localId, List.of(), Optional.empty(),
                    new QuorumHealth(0, 0, false));
        }
        List<EmbeddedZooKeeper.Server> servers = s.liveServers().orElseGet(() -> EmbeddedZooKeeper.parseConfig(String.join("\n", s.membership.servers())));
        Map<Long, String> modes = new HashMap<>();
        for (EmbeddedZooKeeper.Server server : servers) {
            EmbeddedZooKeeper.mode(server.clientHost(), server.clientPort(), PROBE_TIMEOUT).ifPresent(mode -> modes.put(server.id(), mode));
        }
        List<EmbeddedZooKeeper.Server> voters = servers.stream().filter(server -> server.role() == MemberRole.PARTICIPANT).toList();
        int votersUp = (int) voters.stream().filter(v -> modes.containsKey(v.id())).count();
        Optional<Long> leader = modes.entrySet().stream().filter(e -> e.getValue().equals("leader")).map(Map.Entry::getKey).findFirst();
        Map<Long, MemberRole> roles = servers.stream().collect(Collectors.toMap(EmbeddedZooKeeper.Server::id, EmbeddedZooKeeper.Server::role));
        List<ClusterMember> members = new ArrayList<>();
        for (Wire.MemberRecord record : s.memberRecords()) {
            Optional<Wire.NodeRecord> live = s.nodeRecord(record.id());
            MemberRole role = record.serverId() == 0 ? MemberRole.CLIENT : roles.getOrDefault(record.serverId(), MemberRole.valueOf(record.role()));
            members.add(new ClusterMember(record.id(), record.name(), record.addresses(), role,
                    leader.isPresent() && leader.get() == record.serverId(), live.isPresent(),
                    live.map(n -> Instant.ofEpochMilli(n.heartbeatMillis()))));
        }
        members.sort(Comparator.comparing(ClusterMember::name));
        Optional<String> leaderId = members.stream().filter(ClusterMember::zookeeperLeader).map(ClusterMember::id).findFirst();
        return new ClusterStatus(true, Optional.of(s.membership.clusterName()), Optional.of(s.membership.clusterId()), localId,
                members, leaderId, new QuorumHealth(voters.size(), votersUp, votersUp > voters.size() / 2));
    }

    /** Some VM of this node changed (the core's event): its record follows, debounced. */
    void vmsChanged() {
        Session s = session;
        if (s != null && s.publisher != null) {
            s.publisher.vmsChanged();
        }
    }

    @Override
    public List<ClusterVm> vms() {
        Session s = requireSession();
        Collection<Wire.VmRecord> records = s.vmRecords.all(VM_RECORDS_TIMEOUT);
        try {
            return ClusterVms.list(records, s.memberNames(), Set.copyOf(s.client.getChildren().forPath(NODES)));
        } catch (Exception e) {
            throw failure("list the cluster's VMs", e);
        }
    }

    /**
     * The definition of a VM of the cluster as its owner last published it: what HA needs to start it on another node.
     */
    Optional<VmSpec> definition(String nodeId, String vmId) {
        return requireSession().vmRecords.all(VM_RECORDS_TIMEOUT).stream().filter(r -> r.nodeId().equals(nodeId) && r.id().equals(vmId))
                .map(Wire.VmRecord::spec).findFirst();
    }

    @Override
    public DrsProposal drsPlan() {
        Session s = requireSession();
        Collection<Wire.VmRecord> records = s.vmRecords.all(VM_RECORDS_TIMEOUT);
        try {
            Map<String, Wire.NodeRecord> nodes = new HashMap<>();
            for (String id : s.client.getChildren().forPath(NODES)) {
                s.nodeRecord(id).ifPresent(r -> nodes.put(id, r));
            }
            return ClusterVms.plan(records, nodes, s.memberNames(), clock.instant());
        } catch (Exception e) {
            throw failure("plan DRS", e);
        }
    }

    /**
     * A member's side of a join: checks the token and the node, then uses the token up, and hands back what the node
     * needs. Nothing changes in the cluster unless every check passed; the node itself enters the ensemble by reconfig.
     */
    Wire.JoinResponse admit(Wire.JoinRequest request) {
        Session s = session;
        if (s == null) {
            throw new QuantixException(ErrorCode.CONFLICT, "this node is not a cluster member");
        }
        JoinTokens.Parsed token = JoinTokens.parse(request.token());
        if (!java.security.MessageDigest.isEqual(token.caDigest(), JoinTokens.sha256(encoded(s.keys.ca())))) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "the join token was not issued by this cluster");
        }
        try {
            String tokenPath = TOKENS + "/" + token.id();
            Stat stat = new Stat();
            byte[] expiry;
            try {
                expiry = s.client.getData().storingStatIn(stat).forPath(tokenPath);
            } catch (KeeperException.NoNodeException e) {
                throw invalidToken();
            }
            if (Instant.ofEpochMilli(Long.parseLong(new String(expiry, StandardCharsets.US_ASCII))).isBefore(clock.instant())) {
                s.client.delete().forPath(tokenPath);
                throw invalidToken();
            }
            validate(request, s.membership.role() != MemberRole.CLIENT);
            for (Wire.MemberRecord member : s.memberRecords()) {
                if (member.id().equals(request.nodeId())) {
                    throw new QuantixException(ErrorCode.CONFLICT, "node " + request.nodeId() + " is already a member of cluster '"
                            + s.membership.clusterName() + "'");
                }
                if (member.name().equalsIgnoreCase(request.nodeName())) {
                    throw QuantixException.alreadyExists("cluster member", request.nodeName());
                }
            }
            X509Certificate certificate = s.keys.caKey().map(key -> new ClusterCa(s.keys.ca(), key))
                    .orElseThrow(() -> new QuantixException(ErrorCode.CONFLICT, "this member does not hold the cluster CA"))
                    .sign(request.csr(), request.nodeId(), request.addresses(), clock.instant());
            List<EmbeddedZooKeeper.Server> servers = s.liveServers()
                    .orElseThrow(() -> new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the cluster has no ZooKeeper quorum now"));
            try {
                s.client.delete().withVersion(stat.getVersion()).forPath(tokenPath);
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                throw invalidToken();
            }
            MemberRole role = MemberRole.CLIENT;
            long serverId = 0;
            if (s.membership.role() != MemberRole.CLIENT) {
                long voters = servers.stream().filter(server -> server.role() == MemberRole.PARTICIPANT).count();
                role = voters < VOTERS ? MemberRole.PARTICIPANT : MemberRole.OBSERVER;
                String id = s.client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(SERVER_IDS + "/id-");
                s.client.delete().forPath(id);
                // server 1 is the creator's; the sequence starts at 0
                serverId = Long.parseLong(id.substring(id.lastIndexOf('-') + 1)) + 2;
            }
            LOG.info("Admitting node {} ('{}') to cluster '{}' as ZooKeeper server {} ({})", request.nodeId(), request.nodeName(),
                    s.membership.clusterName(), serverId, role);
            return new Wire.JoinResponse(s.membership.clusterName(), s.membership.clusterId(), serverId, role.name(),
                    servers.stream().map(EmbeddedZooKeeper.Server::line).toList(), connectString(s.membership.externalEnsemble(), servers),
                    s.secret, ClusterCa.pem(certificate), ClusterCa.pem(s.keys.ca()), ClusterCa.pem(s.keys.caKey().get()));
        } catch (QuantixException e) {
            throw e;
        } catch (Exception e) {
            throw failure("admit the node", e);
        }
    }

    private static void validate(Wire.JoinRequest request, boolean embedded) {
        if (request.nodeId() == null || !NODE_ID.matcher(request.nodeId()).matches()) {
            throw QuantixException.invalid("not a node id: " + Validation.quote(String.valueOf(request.nodeId())));
        }
        Validation.name("node", request.nodeName());
        if (request.addresses() == null || request.addresses().isEmpty() || request.addresses().size() > 16) {
            throw QuantixException.invalid("a joining node names 1 to 16 addresses");
        }
        for (String address : request.addresses()) {
            if (address == null || !HOST.matcher(address).matches()) {
                throw QuantixException.invalid("not a host name or IPv4 address: " + Validation.quote(String.valueOf(address)));
            }
        }
        if (request.csr() == null || request.csr().length() > 8192) {
            throw QuantixException.invalid("the join request has no certification request");
        }
        if (embedded) {
            if (request.serverAddress() == null || !HOST.matcher(request.serverAddress()).matches()) {
                throw QuantixException.invalid("not a ZooKeeper server address: " + Validation.quote(String.valueOf(request.serverAddress())));
            }
            Validation.range("quorum port", request.quorumPort(), 1, 65535);
            Validation.range("election port", request.electionPort(), 1, 65535);
            Validation.range("client port", request.clientPort(), 1, 65535);
        }
    }

    private void awaitFollowing(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> mode = EmbeddedZooKeeper.mode(settings.address(), settings.clientPort(), PROBE_TIMEOUT);
            if (mode.isPresent() && !mode.get().equals("standalone")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "this node's ZooKeeper server did not reach the ensemble's leader within "
                        + timeout.toSeconds() + " s (are its quorum and election ports reachable from the members?)");
            }
            Thread.sleep(100);
        }
    }

    private static QuantixException invalidToken() {
        // one message for unknown, used and expired: the caller learns nothing about which tokens exist
        return new QuantixException(ErrorCode.UNAUTHENTICATED, "the join token is not valid: it is unknown, used or expired");
    }

    private EmbeddedZooKeeper.Server ownServer(long serverId, MemberRole role) {
        return new EmbeddedZooKeeper.Server(serverId, settings.address(), settings.quorumPort(), settings.electionPort(), role,
                settings.address(), settings.clientPort());
    }

    private static String connectString(LocalState.Membership m) {
        return connectString(m.externalEnsemble(), EmbeddedZooKeeper.parseConfig(String.join("\n", m.servers())));
    }

    private static String connectString(Optional<String> external, List<EmbeddedZooKeeper.Server> servers) {
        return external.orElseGet(() -> servers.stream().map(EmbeddedZooKeeper.Server::clientAddress).collect(Collectors.joining(",")));
    }

    private void requireAlone() {
        Session s = session;
        if (s != null) {
            throw new QuantixException(ErrorCode.CONFLICT, "this node already belongs to cluster '" + s.membership.clusterName()
                    + "': leave it first (qx:cluster-leave)");
        }
    }

    private Session requireSession() {
        Session s = session;
        if (s == null) {
            throw new QuantixException(ErrorCode.CONFLICT, "this node is not in a cluster: create one (qx:cluster-create) or join one");
        }
        return s;
    }

    /** Keys first, the membership file last: a node is a member only once everything it needs is on disk. */
    private void save(Session s) {
        s.keys.write(local);
        local.writeFile(LocalState.SECRET, s.secret, true);
        local.write(s.membership);
    }

    /** Stops what a session started and forgets the cluster on this node (state, keys, ZooKeeper data). */
    private void abandon(Session s) {
        s.close();
        local.delete();
        try {
            LocalState.deleteTree(settings.zookeeperDir());
        } catch (IOException e) {
            LOG.warn("Cannot delete the ZooKeeper data in {}: {}", settings.zookeeperDir(), e.toString());
        }
    }

    private static QuantixException failure(String what, Exception e) {
        if (e instanceof QuantixException q) {
            return q;
        }
        if (e instanceof KeeperException.ConnectionLossException || e instanceof KeeperException.SessionExpiredException) {
            return new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "cannot " + what + ": ZooKeeper is unreachable (" + e.getMessage() + ")", e);
        }
        if (e instanceof KeeperException k) {
            return new QuantixException(ErrorCode.BACKEND_ERROR, "cannot " + what + ": ZooKeeper answered " + k.code(), e);
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new QuantixException(ErrorCode.BACKEND_ERROR, "cannot " + what + ": " + e, e);
    }

    private static KeyPair newKeyPair() {
        try {
            return ClusterCa.newKeyPair();
        } catch (GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot make a key pair: " + e.getMessage(), e);
        }
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot encode a certificate", e);
        }
    }

    Wire.NodeRecord ownRecord() {
        NodeFacts f = facts.get();
        NodeInfo info = f.info();
        List<String> hypervisors = info.backends().stream().filter(b -> b.kind() == BackendKind.HYPERVISOR).map(b -> b.name()).sorted().toList();
        return new Wire.NodeRecord(info.id(), info.name(), List.of(settings.address()),
                new Wire.Capacity(info.cpus(), info.memoryBytes(), hypervisors, f.pools(), f.networks(), settings.labels()),
                HostLoad.now(), vms.get().map(ClusterNode::allocation).orElse(null), false, clock.millis());
    }

    private static Wire.Allocation allocation(List<Vm> list) {
        int vcpus = 0;
        long memory = 0;
        int running = 0;
        for (Vm vm : list) {
            if (ClusterVms.holdsResources(vm.state())) {
                running++;
                vcpus += vm.spec().vcpus();
                memory += vm.spec().memoryMiB() * Validation.MIB;
            }
        }
        return new Wire.Allocation(vcpus, memory, running, list.size());
    }

    /** The hypervisor backends installed on this node now. */
    private Set<String> hypervisors() {
        return facts.get().info().backends().stream().filter(b -> b.kind() == BackendKind.HYPERVISOR).map(b -> b.name())
                .collect(Collectors.toSet());
    }

    /** The node's key and certificates. */
    record Keys(PrivateKey key, X509Certificate certificate, X509Certificate ca, Optional<PrivateKey> caKey) {
        static Keys read(LocalState local) {
            return new Keys(ClusterCa.parseKey(local.readFile(LocalState.NODE_KEY)), ClusterCa.parseCertificate(local.readFile(LocalState.NODE_CERT)),
                    ClusterCa.parseCertificate(local.readFile(LocalState.CA_CERT)),
                    local.exists(LocalState.CA_KEY) ? Optional.of(ClusterCa.parseKey(local.readFile(LocalState.CA_KEY))) : Optional.empty());
        }

        void write(LocalState local) {
            local.writeFile(LocalState.NODE_KEY, ClusterCa.pem(key), true);
            local.writeFile(LocalState.NODE_CERT, ClusterCa.pem(certificate), false);
            local.writeFile(LocalState.CA_CERT, ClusterCa.pem(ca), false);
            caKey.ifPresent(k -> local.writeFile(LocalState.CA_KEY, ClusterCa.pem(k), true));
        }

        @Override
        public String toString() {
            return "Keys[" + certificate.getSubjectX500Principal() + "]";
        }
    }

    /** What a membership runs while it lasts. */
    private final class Session implements AutoCloseable {
        volatile LocalState.Membership membership;
        final String secret;
        final Keys keys;
        EmbeddedZooKeeper zookeeper;
        CuratorFramework client;
        PersistentNode record;
        JoinServer joinServer;
        ScheduledExecutorService heartbeat;
        VmPublisher publisher;
        VmRecords vmRecords;
        private boolean accepted;

        Session(LocalState.Membership membership, String secret, Keys keys) {
            this.membership = membership;
            this.secret = secret;
            this.keys = keys;
        }

        void start(String connectString, boolean wait) throws InterruptedException {
            ClusterSecretAuthenticationProvider.accept(secret.getBytes(StandardCharsets.UTF_8));
            accepted = true;
            if (membership.role() != MemberRole.CLIENT) {
                zookeeper = EmbeddedZooKeeper.start(settings.zookeeperDir(), membership.serverId(),
                        EmbeddedZooKeeper.parseConfig(String.join("\n", membership.servers())), settings.tickTime(), START_TIMEOUT);
            }
            client = CuratorFrameworkFactory.builder().connectString(connectString)
                    .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
                    .connectionTimeoutMs((int) CONNECT_TIMEOUT.toMillis())
                    .retryPolicy(new RetryNTimes(3, 500))
                    .authorization(ClusterSecretAuthenticationProvider.SCHEME, secret.getBytes(StandardCharsets.UTF_8))
                    .aclProvider(new ACLProvider() {
                        @Override
                        public List<ACL> getDefaultAcl() {
                            return MEMBERS_ONLY;
                        }

                        @Override
                        public List<ACL> getAclForPath(String path) {
                            return MEMBERS_ONLY;
                        }
                    })
                    .build();
            client.start();
            if (wait && !client.blockUntilConnected((int) CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "no ZooKeeper quorum answered at " + connectString + " within "
                        + CONNECT_TIMEOUT.toSeconds() + " s");
            }
        }

        void writeMember(NodeInfo node, Instant now) throws Exception {
            Wire.MemberRecord member = new Wire.MemberRecord(node.id(), node.name(), List.of(settings.address()), membership.role().name(),
                    membership.serverId(), now.toEpochMilli());
            client.create().forPath(MEMBERS + "/" + node.id(), Wire.write(member));
        }

        void deleteMember(String nodeId) {
            if (client == null) {
                return;
            }
            try {
                client.delete().quietly().forPath(MEMBERS + "/" + nodeId);
            } catch (Exception e) {
                LOG.warn("Cannot remove the member record of {}: {}", nodeId, e.toString());
            }
        }

        void leaveEnsemble() {
            try {
                client.reconfig().leaving(Long.toString(membership.serverId())).forEnsemble();
            } catch (Exception e) {
                LOG.warn("Cannot take ZooKeeper server {} out of the ensemble again: {}", membership.serverId(), e.toString());
            }
        }

        void startRecord(boolean wait) throws InterruptedException {
            String path = NODES + "/" + facts.get().info().id();
            record = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, Wire.write(ownRecord()));
            record.start();
            if (wait && !record.waitForInitialCreate(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the node record " + path + " was not created within "
                        + CONNECT_TIMEOUT.toSeconds() + " s");
            }
            heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "quantix-cluster-heartbeat");
                thread.setDaemon(true);
                return thread;
            });
            long period = settings.heartbeat().toMillis();
            heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
            vmRecords = new VmRecords(client);
            publisher = new VmPublisher(client, facts.get().info().id(), vms, ClusterNode.this::hypervisors, vmRecords::otherOwners,
                    this::refreshRecord, VM_RECONCILE);
            // a restarted member connects after its first pass gave up, a new session may have missed changes, and a
            // member that was cut off may find its records changed
            client.getConnectionStateListenable().addListener((c, state) -> {
                if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
                    publisher.reconcile();
                }
            });
        }

        /** The node record with the allocation as it is now, without waiting for the next heartbeat. */
        private void refreshRecord() {
            try {
                record.setData(Wire.write(ownRecord()));
            } catch (Exception e) {
                LOG.debug("Node record not refreshed: {}", e.toString());
            }
        }

        /** Member names by node id. */
        Map<String, String> memberNames() {
            return memberRecords().stream().collect(Collectors.toMap(Wire.MemberRecord::id, Wire.MemberRecord::name, (a, b) -> a));
        }

        void closeVmRecords() {
            if (publisher != null) {
                publisher.close();
            }
            if (vmRecords != null) {
                vmRecords.close();
            }
        }

        /** Refreshes the node record and remembers the ensemble as it is now, for the next start. */
        private void beat() {
            try {
                record.setData(Wire.write(ownRecord()));
                liveServers().ifPresent(servers -> {
                    List<String> lines = servers.stream().map(EmbeddedZooKeeper.Server::line).sorted().toList();
                    if (!lines.equals(membership.servers().stream().sorted().toList()) && session == this) {
                        membership = new LocalState.Membership(membership.clusterName(), membership.clusterId(), membership.serverId(),
                                roleIn(servers), lines, membership.externalEnsemble());
                        local.write(membership);
                    }
                });
            } catch (Exception e) {
                LOG.debug("Heartbeat skipped: {}", e.toString());
            }
        }

        private MemberRole roleIn(List<EmbeddedZooKeeper.Server> servers) {
            return servers.stream().filter(s -> s.id() == membership.serverId()).map(EmbeddedZooKeeper.Server::role).findFirst()
                    .orElse(membership.role());
        }

        void startJoinServer() {
            char[] password = newSecret().toCharArray();
            joinServer = JoinServer.start(settings.address(), settings.joinPort(),
                    ClusterCa.keyStore(keys.key(), keys.certificate(), keys.ca(), password), password, ClusterNode.this::admit);
        }

        JoinToken issueToken() throws Exception {
            byte[] caDigest = JoinTokens.sha256(encoded(keys.ca()));
            JoinTokens.Parsed token = JoinTokens.newToken(caDigest);
            Instant expires = clock.instant().plus(settings.tokenTtl());
            client.create().forPath(TOKENS + "/" + token.id(), Long.toString(expires.toEpochMilli()).getBytes(StandardCharsets.US_ASCII));
            return new JoinToken(JoinTokens.format(token), expires, ClusterCa.fingerprint(keys.ca()));
        }

        /** The ensemble's servers now, from {@code /zookeeper/config}; empty without a connection. */
        Optional<List<EmbeddedZooKeeper.Server>> liveServers() {
            if (membership.role() == MemberRole.CLIENT) {
                return Optional.of(List.of());
            }
            if (!client.getZookeeperClient().isConnected()) {
                return Optional.empty();
            }
            try {
                return Optional.of(EmbeddedZooKeeper.parseConfig(new String(client.getConfig().forEnsemble(), StandardCharsets.UTF_8)));
            } catch (Exception e) {
                return Optional.empty();
            }
        }

        List<Wire.MemberRecord> memberRecords() {
            if (!client.getZookeeperClient().isConnected()) {
                return List.of();
            }
            try {
                List<Wire.MemberRecord> records = new ArrayList<>();
                for (String child : client.getChildren().forPath(MEMBERS)) {
                    try {
                        records.add(Wire.read(client.getData().forPath(MEMBERS + "/" + child), Wire.MemberRecord.class));
                    } catch (KeeperException.NoNodeException e) {
                        // left while we listed
                    }
                }
                return records;
            } catch (Exception e) {
                throw failure("read the members", e);
            }
        }

        Optional<Wire.NodeRecord> nodeRecord(String nodeId) {
            try {
                return Optional.of(Wire.read(client.getData().forPath(NODES + "/" + nodeId), Wire.NodeRecord.class));
            } catch (KeeperException.NoNodeException e) {
                return Optional.empty();
            } catch (Exception e) {
                throw failure("read the node records", e);
            }
        }

        @Override
        public void close() {
            if (heartbeat != null) {
                heartbeat.shutdownNow();
            }
            closeVmRecords();
            if (joinServer != null) {
                joinServer.close();
            }
            if (record != null) {
                try {
                    record.close();
                } catch (IOException e) {
                    LOG.debug("Closing the node record: {}", e.toString());
                }
            }
            if (client != null) {
                client.close();
            }
            if (zookeeper != null) {
                zookeeper.close();
            }
            if (accepted) {
                ClusterSecretAuthenticationProvider.forget(secret.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
