package io.quantix.hypervisor.cloudhypervisor.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code <binary> --api-socket path=<socket>}: CH then waits for {@code vm.create} on its socket. The process is
 * not tied to this JVM, so VMs outlive a node restart (under systemd, Karaf's unit needs {@code KillMode=process} for
 * that).
 */
final class ProcessVmmLauncher implements VmmLauncher {
    private final String binary;

    ProcessVmmLauncher(String binary) {
        this.binary = binary;
    }

    @Override
    public Vmm launch(String vm, Path apiSocket, Path log) {
        ProcessBuilder pb = new ProcessBuilder(List.of(binary, "--api-socket", "path=" + apiSocket))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            return new Vmm.ProcessVmm(pb.start().toHandle());
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "cannot run " + binary + " for VM '" + vm + "': " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Vmm> find(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(Vmm.ProcessVmm::new);
    }
}
