package io.quantix.cluster.internal;

import io.quantix.api.QuantixEvent;
import io.quantix.api.Vm;
import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsProposal;
import io.quantix.api.cluster.JoinAddress;
import io.quantix.api.cluster.JoinToken;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.NodeDirectories;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The node's {@link ClusterService}: one {@link ClusterNode} with the node's identity, folders and VMs. Immediate, so that a
 * node that was a member takes its membership up again when it starts; a new configuration restarts it (the ZooKeeper
 * ports and the address cannot change under a running server). It hears the core's VM events, which make the node's VM
 * records follow (debounced: an event only marks them dirty).
 */
@Component(service = {ClusterService.class, EventHandler.class}, configurationPid = ClusterComponent.PID, immediate = true,
        property = EventConstants.EVENT_TOPIC + "=" + QuantixEvent.TOPIC_PREFIX + "vm/*")
@Designate(ocd = ClusterComponent.Config.class)
public class ClusterComponent implements ClusterService, EventHandler {
    static final String PID = "io.quantix.cluster";

    @ObjectClassDefinition(id = PID, name = "Quantix cluster")
    @interface Config {
        @AttributeDefinition(description = "The address other members reach this node at; the join port and ZooKeeper"
                + " listen on it. Empty: the IPv4 address the host name resolves to (127.0.0.1 when that is loopback or IPv6)")
        String address() default "";

        @AttributeDefinition(description = "TCP port that accepts joins (pinned TLS)", min = "1", max = "65535")
        int joinPort() default ClusterService.DEFAULT_JOIN_PORT;

        @AttributeDefinition(description = "ZooKeeper client port of the embedded server", min = "1", max = "65535")
        int zookeeperClientPort() default 2181;

        @AttributeDefinition(description = "ZooKeeper quorum port of the embedded server", min = "1", max = "65535")
        int zookeeperQuorumPort() default 2888;

        @AttributeDefinition(description = "ZooKeeper leader election port of the embedded server", min = "1", max = "65535")
        int zookeeperElectionPort() default 3888;

        @AttributeDefinition(description = "An external ZooKeeper ensemble (host:port,host:port); then no server is embedded")
        String externalEnsemble() default "";

        @AttributeDefinition(description = "Minutes a join token stays valid", min = "1")
        int tokenLifetimeMinutes() default 60;

        @AttributeDefinition(description = "Seconds between refreshes of the node's record", min = "1")
        int heartbeatSeconds() default 5;

        @AttributeDefinition(description = "ZooKeeper session timeout in seconds: a member that is silent this long is offline",
                min = "2")
        int sessionTimeoutSeconds() default 15;

        @AttributeDefinition(description = "ZooKeeper tick in milliseconds (its session timeouts are 2 to 20 ticks)", min = "100")
        int tickMillis() default 1000;

        @AttributeDefinition(description = "Labels (key=value or plain) the scheduler can require of this node")
        String[] labels() default {};
    }

    private final ClusterNode node;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile StorageService storage;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NetworkService networks;

    // optional: a core restart must not restart the cluster's ZooKeeper; while it is away the VM records stay as they are
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile VmService vmService;

    @Activate
    public ClusterComponent(@Reference NodeService nodeService, Config config) {
        node = new ClusterNode(settings(config), () -> new ClusterNode.NodeFacts(nodeService.info(), pools(), networks()),
                this::localVms, Clock.systemUTC());
        node.open();
    }

    @Override
    public void handleEvent(Event event) {
        node.vmsChanged();
    }

    @Deactivate
    void deactivate() {
        node.close();
    }

    static ClusterSettings settings(Config c) {
        // checked here, at the edge: a bad address in the file is refused at activation with its reason, not at create
        String address = new JoinAddress(c.address().isBlank() ? defaultAddress() : c.address().strip(), c.joinPort()).host();
        return new ClusterSettings(NodeDirectories.config().resolve("cluster"), NodeDirectories.data().resolve("zookeeper"),
                address, c.joinPort(), c.zookeeperClientPort(),
                c.zookeeperQuorumPort(), c.zookeeperElectionPort(), Optional.of(c.externalEnsemble().strip()).filter(s -> !s.isEmpty()),
                Duration.ofSeconds(c.heartbeatSeconds()), Duration.ofMinutes(c.tokenLifetimeMinutes()),
                Duration.ofSeconds(c.sessionTimeoutSeconds()), Duration.ofMillis(c.tickMillis()), Arrays.asList(c.labels()));
    }

    private static String defaultAddress() {
        try {
            InetAddress local = InetAddress.getLocalHost();
            // IPv4 only: the join and ZooKeeper server lines take a host or an IPv4 address
            return local instanceof Inet4Address && !local.isLoopbackAddress() ? local.getHostAddress() : "127.0.0.1";
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    /** Pool names for the node record; none while the storage service is away. */
    private List<String> pools() {
        StorageService s = storage;
        return s == null ? List.of() : s.listPools().stream().map(p -> p.spec().name()).sorted().toList();
    }

    private Optional<List<Vm>> localVms() {
        VmService v = vmService;
        return v == null ? Optional.empty() : Optional.of(v.list());
    }

    private List<String> networks() {
        NetworkService n = networks;
        return n == null ? List.of() : n.list().stream().map(n2 -> n2.spec().name()).sorted().toList();
    }

    @Override
    public JoinToken create(String name) {
        return node.create(name);
    }

    @Override
    public JoinToken newJoinToken() {
        return node.newJoinToken();
    }

    @Override
    public ClusterStatus join(String host, int port, String token) {
        return node.join(host, port, token);
    }

    @Override
    public void leave() {
        node.leave();
    }

    @Override
    public ClusterStatus status() {
        return node.status();
    }

    @Override
    public List<ClusterVm> vms() {
        return node.vms();
    }

    @Override
    public DrsProposal drsPlan() {
        return node.drsPlan();
    }
}
