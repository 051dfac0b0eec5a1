package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionTargetTest {
    private static final Path DATA = Path.of("/var/lib/quantix data");

    @Test
    void anExplicitUriIsUsedAsIsWithoutANodeFile() {
        assertEquals(new ConnectionTarget("qemu:///system", Optional.empty(), false),
                ConnectionTarget.resolve("qemu:///system", false, DATA));
        assertEquals(new ConnectionTarget("test:///default", Optional.empty(), true),
                ConnectionTarget.resolve("test:///default", true, DATA));
    }

    @Test
    void anExplicitTestUriWithAFileKeepsItsStateInThatFile() {
        ConnectionTarget target = ConnectionTarget.resolve("test:///srv/sim%20node.xml", true, DATA);

        assertTrue(target.simulated());
        assertEquals(Optional.of(Path.of("/srv/sim node.xml")), target.nodeFile());
        assertEquals("test:///srv/sim%20node.xml", target.uri());
    }

    @Test
    void autoPicksKvmWhenTheHostHasItAndLibvirtdRuns() {
        ConnectionTarget target = ConnectionTarget.resolve("", true, DATA);

        assertEquals("qemu:///system", target.uri());
        assertFalse(target.simulated());
    }

    @Test
    void autoWithoutKvmOrLibvirtdSimulatesOnANodeFileInTheDataDirectory() {
        ConnectionTarget target = ConnectionTarget.resolve(null, false, DATA);

        assertTrue(target.simulated());
        assertEquals(Optional.of(DATA.resolve("libvirt-test-node.xml")), target.nodeFile());
        assertEquals("test:///var/lib/quantix%20data/libvirt-test-node.xml", target.uri());
    }
}
