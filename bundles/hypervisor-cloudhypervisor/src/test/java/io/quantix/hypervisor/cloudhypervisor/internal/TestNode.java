package io.quantix.hypervisor.cloudhypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a node gives the backend in tests: a run directory, firmware files, bridges in a network namespace of their
 * own (the real {@code ip} runs there, so the host's links are never touched) and the double launcher.
 */
final class TestNode implements AutoCloseable {
    final Path runDir;
    final Path firmware;
    final Path uefiFirmware;
    final String netns = "qxtest-" + UUID.randomUUID().toString().substring(0, 8);
    final DoubleLauncher launcher = new DoubleLauncher(this::tapExists);

    TestNode(Path dir, String... bridges) throws IOException {
        runDir = dir.resolve("run");
        firmware = Files.writeString(dir.resolve("hypervisor-fw"), "fw");
        uefiFirmware = Files.writeString(dir.resolve("CLOUDHV.fd"), "uefi");
        HostCommand.run(List.of("ip", "netns", "add", netns));
        for (String bridge : bridges) {
            ip("link", "add", bridge, "type", "bridge");
        }
    }

    CloudHypervisorBackend open() {
        CloudHypervisorBackend backend = new CloudHypervisorBackend();
        backend.open(new CloudHypervisorBackend.Settings("cloud-hypervisor", firmware, uefiFirmware, runDir,
                List.of("ip", "-n", netns)), launcher);
        return backend;
    }

    /** The names of the links enslaved to a bridge. */
    List<String> portsOf(String bridge) {
        String out = ip("-o", "link", "show", "master", bridge);
        List<String> names = new ArrayList<>();
        out.lines().forEach(l -> names.add(l.split(":")[1].strip().split("@")[0]));
        return names;
    }

    boolean tapExists(String tap) {
        return HostCommand.execute(List.of("ip", "-n", netns, "link", "show", "dev", tap), Duration.ofSeconds(10))
                .exitCode() == 0;
    }

    String ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", netns));
        argv.addAll(List.of(args));
        return HostCommand.run(argv);
    }

    @Override
    public void close() {
        launcher.exitAll();
        HostCommand.run(List.of("ip", "netns", "del", netns));
        assertEquals(List.of(), launcher.violations(), "requests or answers that break Cloud Hypervisor's API spec");
    }
}
