package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.QuantixException;
import io.quantix.api.spi.HypervisorBackend;
import java.util.List;
import java.util.Map;
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

    /** A test double of the SPI that only knows its unmanaged domains; it can also fail on demand. */
    private static final class UnmanagedDomainsDouble extends HypervisorDouble {
        private final Supplier<List<String>> names;

        UnmanagedDomainsDouble(Supplier<List<String>> names) {
            this.names = names;
        }

        @Override
        public List<String> unmanaged() {
            return names.get();
        }
    }
}
