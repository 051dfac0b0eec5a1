package io.quantix.hypervisor.cloudhypervisor.internal;

import io.quantix.api.spi.HypervisorBackend;
import io.quantix.hypervisor.contract.HypervisorContract;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SPI contract on the Cloud Hypervisor backend, against the spec-checked double. A node restart is a new
 * activation over the same run directory while the doubles (the VMM processes) keep running.
 */
class CloudHypervisorContractTest extends HypervisorContract {
    @TempDir
    Path dir;
    private TestNode node;

    @BeforeEach
    void createNode() throws IOException {
        node = new TestNode(dir, BRIDGE);
    }

    @AfterEach
    void deleteNode() {
        node.close();
    }

    @Override
    protected HypervisorBackend open() {
        return node.open();
    }

    @Override
    protected void close(HypervisorBackend backend) {
        ((CloudHypervisorBackend) backend).close();
    }

    @Override
    protected String hypervisorName() {
        return CloudHypervisorBackend.NAME;
    }
}
