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
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every backend bundle's service, bound dynamically so that installing, replacing or removing a backend
 * never restarts the core. The core refers to backends only by name and through the api SPIs.
 */
@Component(service = BackendRegistry.class)
public class BackendRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
    final BackendSet<HypervisorBackend> hypervisors = new BackendSet<>(BackendKind.HYPERVISOR);
    final BackendSet<StorageBackend> storage = new BackendSet<>(BackendKind.STORAGE);
    final BackendSet<NetworkDriver> networks = new BackendSet<>(BackendKind.NETWORK);

    private final Events events;
    /** One instance, so that unbind removes exactly what bind added. */
    private final Consumer<QuantixEvent> republish = this::republish;

    /** Constructor injection: DS binds it before any backend, so every bind can publish. */
    @Activate
    public BackendRegistry(@Reference Events events) {
        this.events = events;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHypervisor(HypervisorBackend backend, Map<String, Object> properties) {
        announce(hypervisors.bind(backend, properties), "AVAILABLE", "hypervisor");
        backend.addListener(republish);
    }

    void unbindHypervisor(HypervisorBackend backend, Map<String, Object> properties) {
        backend.removeListener(republish);
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

    /** A hypervisor's VM state changes go out as they are: see {@link VmManager} for which events come from where. */
    private void republish(QuantixEvent event) {
        if (event.kind() == QuantixEvent.Kind.VM) {
            events.publish(event);
        } else {
            LOG.warn("ignoring a {} event from a hypervisor backend: they report VM events only", event.kind());
        }
    }

    private void announce(Optional<String> name, String type, String kind) {
        name.ifPresent(n -> events.publish(QuantixEvent.Kind.BACKEND, type, n, kind + " backend '" + n + "' is "
                + type.toLowerCase(java.util.Locale.ROOT)));
    }
}
