package io.quantix.cluster.internal;

import io.quantix.api.Vm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the VMs this node owns, one znode each under {@code /quantix/vms/<node id>/}, from the node's inventory.
 *
 * <p>A change only marks the set dirty; one pass a {@link #DEBOUNCE} later lists the inventory (in memory, no hypervisor
 * call) and writes what differs from what it last wrote, in ZooKeeper transactions of up to {@link #BATCH} operations. So
 * a burst of events, or 10,000 VMs starting, costs a few transactions, not a write per event. A full reconcile (what
 * ZooKeeper holds read back, then the same diff) runs when the publisher starts, when the session (re)connects, after a
 * failed write, and every {@code reconcile} period, repairing whatever was missed.
 *
 * <p>A record is deleted only while its VM's hypervisor is installed on the node and no longer lists it: a node that
 * starts before its hypervisor has bound (an empty inventory) takes nothing away from the cluster.
 */
final class VmPublisher implements AutoCloseable {
    static final Duration DEBOUNCE = Duration.ofMillis(500);
    static final int BATCH = 200;
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(VmPublisher.class);

    private final CuratorFramework client;
    private final String nodeId;
    private final String dir;
    private final Supplier<Optional<List<Vm>>> inventory;
    private final Supplier<Set<String>> hypervisors;
    private final Function<Wire.VmRecord, List<String>> otherOwners;
    private final Runnable changed;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** What ZooKeeper holds for this node, by VM id, as this publisher last wrote or read it; null: read it first. */
    private Map<String, Wire.VmRecord> published;

    /**
     * @param inventory the node's VMs; empty while the node's VM service is away (then nothing is written)
     * @param hypervisors the hypervisor backends installed now, by name
     * @param otherOwners the names of other nodes that own a VM of the record's name, for the clash warning
     * @param changed called after a pass that changed the records (the node record's allocation follows)
     */
    VmPublisher(CuratorFramework client, String nodeId, Supplier<Optional<List<Vm>>> inventory, Supplier<Set<String>> hypervisors,
            Function<Wire.VmRecord, List<String>> otherOwners, Runnable changed, Duration reconcile) {
        this.client = client;
        this.nodeId = nodeId;
        this.dir = ClusterNode.VMS + "/" + nodeId;
        this.inventory = inventory;
        this.hypervisors = hypervisors;
        this.otherOwners = otherOwners;
        this.changed = changed;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "quantix-cluster-vms");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::reconcileNow, 0, reconcile.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Some VM changed: publish within {@link #DEBOUNCE}, together with whatever else changes meanwhile. */
    void vmsChanged() {
        if (pending.compareAndSet(false, true)) {
            submit(() -> {
                pending.set(false);
                sync();
            }, DEBOUNCE);
        }
    }

    /** Reads back what ZooKeeper holds, then publishes the difference (after a reconnect). */
    void reconcile() {
        submit(this::reconcileNow, Duration.ZERO);
    }

    private void reconcileNow() {
        published = null;
        sync();
    }

    private void submit(Runnable task, Duration delay) {
        try {
            executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the session is over
        }
    }

    private void sync() {
        Optional<List<Vm>> vms = inventory.get();
        if (vms.isEmpty() || !client.getZookeeperClient().isConnected()) {
            return;
        }
        try {
            if (published == null) {
                published = read();
            }
            Map<String, Wire.VmRecord> want = new HashMap<>();
            for (Vm vm : vms.get()) {
                want.put(vm.id(), new Wire.VmRecord(vm.id(), nodeId, vm.state(), vm.version(), vm.spec()));
            }
            Set<String> installed = hypervisors.get();
            List<CuratorOp> ops = new ArrayList<>();
            Map<String, Wire.VmRecord> next = new HashMap<>(published);
            for (Wire.VmRecord record : want.values()) {
                Wire.VmRecord old = published.get(record.id());
                String path = dir + "/" + record.id();
                if (old == null) {
                    ops.add(client.transactionOp().create().forPath(path, Wire.write(record)));
                    List<String> others = otherOwners.apply(record);
                    if (!others.isEmpty()) {
                        LOG.warn("VM name '{}' clashes across the cluster: nodes {} own a VM of that name too; each keeps its own record",
                                record.name(), others);
                    }
                } else if (!old.equals(record)) {
                    ops.add(client.transactionOp().setData().forPath(path, Wire.write(record)));
                }
                next.put(record.id(), record);
            }
            for (Wire.VmRecord old : published.values()) {
                if (!want.containsKey(old.id()) && installed.contains(old.spec().hypervisor())) {
                    ops.add(client.transactionOp().delete().forPath(dir + "/" + old.id()));
                    next.remove(old.id());
                }
            }
            for (int from = 0; from < ops.size(); from += BATCH) {
                client.transaction().forOperations(ops.subList(from, Math.min(from + BATCH, ops.size())));
            }
            published = next;
            if (!ops.isEmpty()) {
                LOG.debug("Published {} VM record changes", ops.size());
                changed.run();
            }
        } catch (Exception e) {
            // a batch may have gone through before the failure: read back what is there next time
            published = null;
            LOG.debug("Publishing the VM records failed, retrying in {} s: {}", RETRY.toSeconds(), e.toString());
            submit(this::reconcileNow, RETRY);
        }
    }

    /** This node's records in ZooKeeper; one that cannot be read is deleted, to be written anew. */
    private Map<String, Wire.VmRecord> read() throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(dir);
        } catch (KeeperException.NodeExistsException e) {
            // the usual case
        }
        Map<String, Wire.VmRecord> records = new HashMap<>();
        for (String child : client.getChildren().forPath(dir)) {
            String path = dir + "/" + child;
            try {
                Wire.VmRecord record = Wire.read(client.getData().forPath(path), Wire.VmRecord.class);
                if (record.spec() == null || !record.id().equals(child)) {
                    throw new IllegalArgumentException("not a VM record");
                }
                records.put(child, record);
            } catch (KeeperException.NoNodeException e) {
                // deleted meanwhile
            } catch (RuntimeException e) {
                LOG.warn("Replacing the unreadable VM record {}", path);
                client.delete().quietly().forPath(path);
            }
        }
        return records;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
