package io.quantix.core.internal;

import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.spi.HypervisorBackend;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every VM of the node. The hypervisors are the durable record; this remembers the last list each gave,
 * so that the VMs of a backend that goes away are still listed, as {@link PowerState#UNAVAILABLE}, until it
 * comes back. Storage and networks ask it which objects are in use.
 */
@Component(service = VmInventory.class)
public class VmInventory {
    private static final Logger LOG = LoggerFactory.getLogger(VmInventory.class);

    private final BackendRegistry backends;
    /** hypervisor backend name → VM name → the VM as last seen there. */
    private final Map<String, Map<String, Vm>> lastSeen = new ConcurrentHashMap<>();

    @Activate
    public VmInventory(@Reference BackendRegistry backends) {
        this.backends = backends;
    }

    List<Vm> list() {
        Map<String, HypervisorBackend> live = backends.hypervisors.snapshot();
        live.forEach(this::refresh);
        return lastSeen.entrySet().stream()
                .flatMap(e -> e.getValue().values().stream()
                        .map(vm -> live.containsKey(e.getKey()) ? vm : vm.withState(PowerState.UNAVAILABLE)))
                .sorted(Comparator.comparing(Vm::name))
                .toList();
    }

    Optional<Vm> find(String name) {
        return list().stream().filter(vm -> vm.name().equals(name)).findFirst();
    }

    void remember(Vm vm) {
        lastSeen.computeIfAbsent(vm.spec().hypervisor(), k -> new ConcurrentHashMap<>()).put(vm.name(), vm);
    }

    void forget(Vm vm) {
        Optional.ofNullable(lastSeen.get(vm.spec().hypervisor())).ifPresent(m -> m.remove(vm.name()));
    }

    private void refresh(String backendName, HypervisorBackend backend) {
        try {
            lastSeen.put(backendName, new ConcurrentHashMap<>(backend.list().stream()
                    .collect(Collectors.toMap(Vm::name, Function.identity(), (a, b) -> a))));
        } catch (QuantixException e) {
            LOG.warn("cannot list VMs of hypervisor {}: {}", backendName, e.getMessage());
        }
    }
}
