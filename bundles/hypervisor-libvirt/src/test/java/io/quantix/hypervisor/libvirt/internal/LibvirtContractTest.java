package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.spi.HypervisorBackend;
import io.quantix.hypervisor.contract.HypervisorContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The SPI contract on libvirt's test driver; a node restart is a new connection over the same node file. */
class LibvirtContractTest extends HypervisorContract {
    @TempDir
    Path stateDir;

    @Override
    protected HypervisorBackend open() {
        LibvirtBackend backend = new LibvirtBackend();
        backend.open(ConnectionTarget.testNode(stateDir.resolve("libvirt-test-node.xml")));
        return backend;
    }

    @Override
    protected void close(HypervisorBackend backend) {
        ((LibvirtBackend) backend).close();
    }

    @Override
    protected String hypervisorName() {
        return LibvirtBackend.NAME;
    }
}
