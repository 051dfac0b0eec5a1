package io.quantix.cluster.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every member's VM records ({@code /quantix/vms/<node id>/<vm id>}), held in memory on this member and kept current by a
 * ZooKeeper watch (a {@link CuratorCache}), so that a cluster-wide list reads no znode.
 */
final class VmRecords implements AutoCloseable, CuratorCacheListener {
    private static final Logger LOG = LoggerFactory.getLogger(VmRecords.class);
    private final CuratorCache cache;
    private final Map<String, Wire.VmRecord> byPath = new ConcurrentHashMap<>();
    private final CountDownLatch initialized = new CountDownLatch(1);

    VmRecords(CuratorFramework client) {
        cache = CuratorCache.build(client, ClusterNode.VMS);
        cache.listenable().addListener(this);
        cache.start();
    }

    @Override
    public void event(Type type, ChildData oldData, ChildData data) {
        if (type == Type.NODE_DELETED) {
            byPath.remove(oldData.getPath());
            return;
        }
        String path = data.getPath();
        // /quantix/vms/<node id>/<vm id>: two segments below the root; the node folders carry no data
        if (path.length() <= ClusterNode.VMS.length() + 1 || path.substring(ClusterNode.VMS.length() + 1).indexOf('/') < 0) {
            return;
        }
        try {
            Wire.VmRecord record = Wire.read(data.getData(), Wire.VmRecord.class);
            if (record.spec() == null || record.id() == null || record.nodeId() == null || record.state() == null) {
                throw QuantixException.invalid("incomplete VM record");
            }
            byPath.put(path, record);
        } catch (RuntimeException e) {
            // its owner replaces it at its next reconcile
            byPath.remove(path);
            LOG.warn("Ignoring the unreadable VM record {}", path);
        }
    }

    @Override
    public void initialized() {
        initialized.countDown();
    }

    /** Every record, once the first read of the tree is done (waits up to {@code timeout} for it). */
    Collection<Wire.VmRecord> all(Duration timeout) {
        try {
            if (!initialized.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the cluster's VM records were not read from ZooKeeper within "
                        + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "interrupted while reading the cluster's VM records", e);
        }
        return List.copyOf(byPath.values());
    }

    /** The ids of the other nodes that own a VM named as {@code record}'s. */
    List<String> otherOwners(Wire.VmRecord record) {
        return byPath.values().stream().filter(r -> r.name().equals(record.name()) && !r.nodeId().equals(record.nodeId()))
                .map(Wire.VmRecord::nodeId).distinct().sorted().toList();
    }

    @Override
    public void close() {
        cache.close();
    }
}
