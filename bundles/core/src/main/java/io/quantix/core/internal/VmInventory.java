package io.quantix.core.internal;

import io.quantix.api.AttachedNic;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.HypervisorBackend;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /**
     * One VM, asked of each live hypervisor by name rather than listing them all: this is the path of every
     * single-VM call. A VM of a backend that is away comes from the last list, as UNAVAILABLE.
     */
    Optional<Vm> find(String name) {
        Map<String, HypervisorBackend> live = backends.hypervisors.snapshot();
        for (Map.Entry<String, HypervisorBackend> e : live.entrySet()) {
            try {
                Optional<Vm> vm = e.getValue().find(name);
                if (vm.isPresent()) {
                    remember(vm.get());
                    return vm;
                }
            } catch (QuantixException ex) {
                LOG.warn("cannot look up VM {} on hypervisor {}: {}", name, e.getKey(), ex.getMessage());
            }
        }
        return lastSeen.entrySet().stream()
                .filter(e -> !live.containsKey(e.getKey()))
                .map(e -> e.getValue().get(name))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .map(vm -> vm.withState(PowerState.UNAVAILABLE));
    }

    /** The VM that has the volume as one of its disks, if any. */
    Optional<Vm> diskOf(VolumeRef volume) {
        return list().stream().filter(vm -> vm.disks().stream().anyMatch(d -> d.volume().equals(volume))).findFirst();
    }

    /** The MAC addresses of every NIC on the node, as a set the caller may add to. */
    Set<String> macsInUse() {
        return list().stream().flatMap(vm -> vm.nics().stream()).map(AttachedNic::mac)
                .collect(Collectors.toCollection(HashSet::new));
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
