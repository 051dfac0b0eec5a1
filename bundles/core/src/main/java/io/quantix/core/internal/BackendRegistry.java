package io.quantix.core.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.BackendKind;
import io.quantix.api.QuantixEvent;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NetworkDriver;
import io.quantix.api.spi.StorageBackend;
import java.util.ArrayList;
import java.util.IdentityHashMap;
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
    /** The listener bound to each hypervisor, so that unbind removes exactly what bind added; guarded by this. */
    private final Map<HypervisorBackend, Consumer<QuantixEvent>> relays = new IdentityHashMap<>();
    /** Told of every hypervisor bound and unbound; guarded by this registry, so that none is missed or doubled. */
    private final List<HypervisorWatcher> watchers = new ArrayList<>();

    /**
     * Follows the hypervisors as they come and go (the VM inventory), called on the binding thread, and hears each
     * of their events, on the hypervisor's event thread, before it is published: whoever hears an event and then
     * reads the inventory sees the change.
     */
    interface HypervisorWatcher {
        void bound(String name, HypervisorBackend backend);

        void unbound(String name, HypervisorBackend backend);

        /** Must not call the hypervisor (its event thread is calling). */
        void heard(String name, QuantixEvent event);
    }

    /** Constructor injection: DS binds it before any backend, so every bind can publish. */
    @Activate
    public BackendRegistry(@Reference Events events) {
        this.events = events;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindHypervisor(HypervisorBackend backend, Map<String, Object> properties) {
        Optional<String> name = hypervisors.bind(backend, properties);
        // listening before the inventory's first list, so that no change after it is missed
        name.ifPresent(n -> {
            Consumer<QuantixEvent> relay = event -> relay(n, event);
            relays.put(backend, relay);
            backend.addListener(relay);
        });
        // the inventory holds the backend's VMs before anyone hears that it is available
        name.ifPresent(n -> watchers.forEach(w -> w.bound(n, backend)));
        announce(name, "AVAILABLE", "hypervisor");
    }

    synchronized void unbindHypervisor(HypervisorBackend backend, Map<String, Object> properties) {
        Optional.ofNullable(relays.remove(backend)).ifPresent(backend::removeListener);
        Optional<String> name = hypervisors.unbind(backend, properties);
        name.ifPresent(n -> watchers.forEach(w -> w.unbound(n, backend)));
        announce(name, "UNAVAILABLE", "hypervisor");
    }

    /** Adds the watcher and tells it of the hypervisors already bound. */
    synchronized void watch(HypervisorWatcher watcher) {
        watchers.add(watcher);
        hypervisors.snapshot().forEach(watcher::bound);
    }

    synchronized void unwatch(HypervisorWatcher watcher) {
        watchers.remove(watcher);
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
    private void relay(String name, QuantixEvent event) {
        if (event.kind() == QuantixEvent.Kind.VM) {
            List<HypervisorWatcher> now;
            synchronized (this) {
                now = List.copyOf(watchers);
            }
            now.forEach(w -> w.heard(name, event));
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
