package io.quantix.hypervisor.libvirt.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which libvirt to talk to.
 *
 * @param uri the libvirt connection URI
 * @param nodeFile for the simulated node only: the test driver's state file, rewritten after every change
 * @param simulated true on libvirt's test driver, whose VMs are bookkeeping, not guests
 */
record ConnectionTarget(String uri, Optional<Path> nodeFile, boolean simulated) {
    static final String SYSTEM_URI = "qemu:///system";
    static final String NODE_FILE = "libvirt-test-node.xml";
    /** libvirt's built-in test node: state lives in the connection only. */
    static final String DEFAULT_TEST_URI = "test:///default";

    /**
     * An explicit URI wins; a test-driver URI naming a file keeps that file as the node's state. Otherwise
     * the host's QEMU/KVM when it has KVM and a running libvirtd, else the test driver on a node file under
     * the data directory, so that simulated VMs outlive a restart as real ones would.
     */
    static ConnectionTarget resolve(String configuredUri, boolean systemLibvirtReady, Path dataDir) {
        if (configuredUri != null && !configuredUri.isBlank()) {
            String uri = configuredUri.trim();
            if (uri.startsWith("test://") && !uri.equals(DEFAULT_TEST_URI)) {
                return testNode(Path.of(URI.create(uri).getPath()));
            }
            return new ConnectionTarget(uri, Optional.empty(), uri.startsWith("test:"));
        }
        return systemLibvirtReady ? new ConnectionTarget(SYSTEM_URI, Optional.empty(), false)
                : testNode(dataDir.resolve(NODE_FILE));
    }

    /** The test driver on {@code nodeFile}; its path is percent-encoded, as libvirt's URI parser expects. */
    static ConnectionTarget testNode(Path nodeFile) {
        Path file = nodeFile.toAbsolutePath().normalize();
        return new ConnectionTarget("test://" + file.toUri().getRawPath(), Optional.of(file), true);
    }
}
