package io.quantix.core.internal;

import io.quantix.api.NetworkSpec;
import io.quantix.api.Router;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.NetworkDriver;
import io.quantix.api.spi.Reconciliation;
import java.util.EnumMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a network driver appears (node start, feature reinstalled after a swap), hands it the definitions it
 * serves and every security group so it can catch up with what changed while it was away. Runs on a thread
 * of its own: a driver waiting for its database must not hold up the framework's binding.
 */
@Component(immediate = true)
public class NetworkReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkReconciler.class);

    private final NetworkManager networks;
    private final SecurityGroupManager groups;
    private final RouterManager routers;
    private final NetworkTombstones tombstones;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quantix-network-reconcile");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public NetworkReconciler(@Reference NetworkManager networks, @Reference SecurityGroupManager groups,
            @Reference RouterManager routers, @Reference NetworkTombstones tombstones) {
        this.tombstones = tombstones;
        this.networks = networks;
        this.groups = groups;
        this.routers = routers;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDriver(NetworkDriver driver, Map<String, Object> properties) {
        String name = String.valueOf(properties.get(Backend.PROPERTY));
        executor.execute(() -> reconcile(name, driver));
    }

    void unbindDriver(NetworkDriver driver) {
        // its networks turn UNAVAILABLE through the registry; their definitions stay
    }

    @Deactivate
    void stop() {
        executor.shutdownNow();
    }

    private void reconcile(String name, NetworkDriver driver) {
        try {
            List<NetworkSpec> served = networks.list().stream().map(n -> n.spec()).filter(s -> s.driver().equals(name)).toList();
            List<Router> routed = routers.list().stream()
                    .filter(r -> routers.specs(r).stream().allMatch(s -> s.driver().equals(name))).toList();
            Map<NetworkTombstones.Kind, Set<String>> deleted = new EnumMap<>(NetworkTombstones.Kind.class);
            for (NetworkTombstones.Kind kind : NetworkTombstones.Kind.values()) {
                deleted.put(kind, tombstones.pending(kind, name));
            }
            driver.reconcile(new Reconciliation(served, groups.list(), routed, deleted.get(NetworkTombstones.Kind.NETWORK),
                    deleted.get(NetworkTombstones.Kind.SECURITY_GROUP), deleted.get(NetworkTombstones.Kind.ROUTER)));
            tombstones.removed(name, deleted);
            LOG.info("network driver {} reconciled: {} networks, {} routers, the security groups; removed what was deleted: {}",
                    name, served.size(), routed.size(), deleted);
        } catch (RuntimeException e) {
            LOG.warn("network driver {} could not be reconciled: {}", name, e.toString());
        }
    }
}
