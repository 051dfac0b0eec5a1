package io.quantix.core.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.BackendKind;
import io.quantix.api.QuantixEvent;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NetworkDriver;
import io.quantix.api.spi.StorageBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Every backend bundle's service, bound dynamically so that installing, replacing or removing a backend
 * never restarts the core. The core refers to backends only by name and through the api SPIs.
 */
@Component(service = BackendRegistry.class)
public class BackendRegistry {
    final BackendSet<HypervisorBackend> hypervisors = new BackendSet<>(BackendKind.HYPERVISOR);
    final BackendSet<StorageBackend> storage = new BackendSet<>(BackendKind.STORAGE);
    final BackendSet<NetworkDriver> networks = new BackendSet<>(BackendKind.NETWORK);

    private final Events events;

    /** Constructor injection: DS binds it before any backend, so every bind can publish. */
    @Activate
    public BackendRegistry(@Reference Events events) {
        this.events = events;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHypervisor(HypervisorBackend backend, Map<String, Object> properties) {
        announce(hypervisors.bind(backend, properties), "AVAILABLE", "hypervisor");
    }

    void unbindHypervisor(HypervisorBackend backend, Map<String, Object> properties) {
        announce(hypervisors.unbind(backend, properties), "UNAVAILABLE", "hypervisor");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStorage(StorageBackend backend, Map<String, Object> properties) {
        announce(storage.bind(backend, properties), "AVAILABLE", "storage");
    }

    void unbindStorage(StorageBackend backend, Map<String, Object> properties) {
        announce(storage.unbind(backend, properties), "UNAVAILABLE", "storage");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindNetwork(NetworkDriver driver, Map<String, Object> properties) {
        announce(networks.bind(driver, properties), "AVAILABLE", "network");
    }

    void unbindNetwork(NetworkDriver driver, Map<String, Object> properties) {
        announce(networks.unbind(driver, properties), "UNAVAILABLE", "network");
    }

    List<BackendInfo> describe() {
        List<BackendInfo> all = new ArrayList<>(hypervisors.describe());
        all.addAll(storage.describe());
        all.addAll(networks.describe());
        return List.copyOf(all);
    }

    private void announce(Optional<String> name, String type, String kind) {
        name.ifPresent(n -> events.publish(QuantixEvent.Kind.BACKEND, type, n, kind + " backend '" + n + "' is "
                + type.toLowerCase(java.util.Locale.ROOT)));
    }
}
