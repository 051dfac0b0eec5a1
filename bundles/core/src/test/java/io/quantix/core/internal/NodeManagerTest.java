package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.spi.HypervisorBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NodeManagerTest {

    @Test
    void unmanagedDomainsOfEveryHypervisorAreMergedAndSorted() {
        Map<String, HypervisorBackend> hypervisors = Map.of(
                "libvirt", new UnmanagedDomainsDouble(() -> List.of("zeta", "test")),
                "other", new UnmanagedDomainsDouble(() -> List.of("alpha", "test")));

        assertEquals(List.of("alpha", "test", "zeta"), NodeManager.unmanaged(hypervisors));
    }

    @Test
    void aHypervisorThatCannotAnswerHidesOnlyItsOwnDomains() {
        Map<String, HypervisorBackend> hypervisors = Map.of(
                "libvirt", new UnmanagedDomainsDouble(() -> {
                    throw QuantixException.backendUnavailable("hypervisor", "libvirt");
                }),
                "other", new UnmanagedDomainsDouble(() -> List.of("legacy-db")));

        assertEquals(List.of("legacy-db"), NodeManager.unmanaged(hypervisors));
    }

    /** A hypervisor that only knows its unmanaged domains. */
    /** A test double of the SPI: only the unmanaged-domain answer matters here; it can also fail on demand. */
    private record UnmanagedDomainsDouble(Supplier<List<String>> names) implements HypervisorBackend {
        @Override
        public List<String> unmanaged() {
            return names.get();
        }

        @Override
        public Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Vm> list() {
            return List.of();
        }

        @Override
        public Optional<Vm> find(String name) {
            return Optional.empty();
        }

        @Override
        public void power(String name, PowerAction action) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void undefine(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public VmMetrics metrics(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public String description() {
            return "stub";
        }
    }
}
