package io.quantix.cluster.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.BackendKind;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.NodeInfo;
import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsProposal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * One cluster member of a test: a {@link ClusterNode} with its own folders, loopback address (127.0.0.N) and free
 * ports, a real embedded ZooKeeper and real TLS. Only the node's facts (id, name, capacity) are made up: there is no
 * node engine behind it.
 */
final class TestMember implements AutoCloseable {
    final String address;
    final NodeInfo info;
    final ClusterSettings settings;
    final MovableClock clock = new MovableClock();
    /** The VMs this member owns: made-up values, as its facts are; {@link #setVms} publishes a change. */
    private volatile List<Vm> vms = List.of();
    ClusterNode node;

    TestMember(Path root, int n, String name) {
        this(root, n, name, Optional.empty());
    }

    TestMember(Path root, int n, String name, Optional<String> externalEnsemble) {
        address = "127.0.0." + n;
        info = new NodeInfo(UUID.randomUUID().toString(), name, name, "test", 4, 8L << 30, true,
                List.of(new BackendInfo(BackendKind.HYPERVISOR, "libvirt", "test", Set.of(), true)));
        Path dir = root.resolve("node" + n);
        settings = new ClusterSettings(dir.resolve("config/cluster"), dir.resolve("data/zookeeper"), address, freePort(),
                freePort(), freePort(), freePort(), externalEnsemble, Duration.ofSeconds(1), Duration.ofHours(1),
                Duration.ofSeconds(10), Duration.ofMillis(500), List.of("rack=r" + n));
        node = newNode();
    }

    private ClusterNode newNode() {
        return new ClusterNode(settings, () -> new ClusterNode.NodeFacts(info, List.of("default"), List.of()), () -> Optional.of(vms), clock);
    }

    /** Replaces the member's VMs and tells its node, as the core's VM events do. */
    void setVms(List<Vm> value) {
        vms = List.copyOf(value);
        node.vmsChanged();
    }

    /** A running VM of this member with a made-up id. */
    static Vm vm(String name, int vcpus, long memoryMiB) {
        return new Vm(UUID.randomUUID().toString(), VmSpec.builder(name).vcpus(vcpus).memoryMiB(memoryMiB)
                .disk(new DiskSpec("default", 1L << 30, Optional.empty(), DiskBus.VIRTIO)).build(), PowerState.RUNNING, List.of(), List.of(), 1);
    }

    /** Stops the member as a node stop does (no leave), then starts it again from its files. */
    void restart() {
        node.close();
        node = newNode();
        node.open();
    }

    int joinPort() {
        return settings.joinPort();
    }

    /** The folders of this member's cluster state and ZooKeeper data that exist (none while it is alone). */
    List<Path> clusterFiles() {
        return java.util.stream.Stream.of(settings.stateDir(), settings.zookeeperDir()).filter(Files::exists).toList();
    }

    /** Polls this member's status until {@code condition} holds; fails saying what it waited for after {@code timeout}. */
    ClusterStatus awaitStatus(String what, Duration timeout, Predicate<ClusterStatus> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ClusterStatus status = node.status();
        while (!condition.test(status)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s on " + info.name() + " for " + what + "; last status: " + status);
            }
            Thread.sleep(200);
            status = node.status();
        }
        return status;
    }

    /** Polls this member's cluster-wide VM list until {@code condition} holds; fails saying what it waited for. */
    List<ClusterVm> awaitVms(String what, Duration timeout, Predicate<List<ClusterVm>> condition) throws InterruptedException {
        return await(what, timeout, node::vms, condition);
    }

    /** Polls this member's DRS plan until {@code condition} holds. */
    DrsProposal awaitPlan(String what, Duration timeout, Predicate<DrsProposal> condition) throws InterruptedException {
        return await(what, timeout, node::drsPlan, condition);
    }

    private <T> T await(String what, Duration timeout, java.util.function.Supplier<T> read, Predicate<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = read.get();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                String shown = String.valueOf(value);
                throw new AssertionError("waited " + timeout.toSeconds() + " s on " + info.name() + " for " + what + "; last: "
                        + (shown.length() > 2000 ? shown.substring(0, 2000) + "..." : shown));
            }
            Thread.sleep(200);
            value = read.get();
        }
        return value;
    }

    @Override
    public void close() {
        node.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock a test moves forward, to expire tokens without waiting. */
    static final class MovableClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
