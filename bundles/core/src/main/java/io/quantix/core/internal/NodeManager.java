package io.quantix.core.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.InventoryStats;
import io.quantix.api.NodeInfo;
import io.quantix.api.QuantixException;
import io.quantix.api.service.NodeService;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node itself: identity, size and installed backends. */
@Component(service = NodeService.class)
public class NodeManager implements NodeService {
    private static final Logger LOG = LoggerFactory.getLogger(NodeManager.class);

    private final BackendRegistry backends;
    private final VmInventory inventory;
    private final String version;
    private final NodeIdentity identity;

    @Activate
    public NodeManager(@Reference BackendRegistry backends, @Reference VmInventory inventory, BundleContext context) {
        this.backends = backends;
        this.inventory = inventory;
        this.version = context.getBundle().getVersion().toString();
        this.identity = NodeIdentity.load(NodeDirectories.config(), hostname());
    }

    @Override
    public NodeInfo info() {
        List<BackendInfo> all = backends();
        return new NodeInfo(identity.id(), identity.name(), hostname(), version, Runtime.getRuntime().availableProcessors(), memoryBytes(),
                all.stream().anyMatch(BackendInfo::simulated), all);
    }

    @Override
    public void rename(String name) {
        identity.rename(io.quantix.api.Validation.hostname(name));
        LOG.info("Node renamed to '{}'", identity.name());
    }

    @Override
    public List<BackendInfo> backends() {
        return backends.describe();
    }

    @Override
    public List<String> unmanagedDomains() {
        return unmanaged(backends.hypervisors.snapshot());
    }

    @Override
    public InventoryStats inventoryStats() {
        return inventory.stats();
    }

    /** A hypervisor that cannot answer hides only its own domains: this is an informational list. */
    static List<String> unmanaged(Map<String, HypervisorBackend> hypervisors) {
        TreeSet<String> names = new TreeSet<>();
        hypervisors.forEach((name, backend) -> {
            try {
                names.addAll(backend.unmanaged());
            } catch (QuantixException e) {
                LOG.warn("hypervisor backend '{}' cannot list unmanaged domains: {}", name, e.getMessage());
            }
        });
        return List.copyOf(names);
    }

    /** From the kernel, not DNS: looking up our own name must never wait on the network. */
    private static String hostname() {
        return read("/proc/sys/kernel/hostname").orElse("localhost");
    }

    private static long memoryBytes() {
        return read("/proc/meminfo").flatMap(m -> m.lines().filter(l -> l.startsWith("MemTotal:")).findFirst())
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
    }

    private static java.util.Optional<String> read(String file) {
        try {
            return java.util.Optional.of(Files.readString(Path.of(file)).strip());
        } catch (IOException e) {
            LOG.debug("cannot read {}: {}", file, e.getMessage());
            return java.util.Optional.empty();
        }
    }
}
