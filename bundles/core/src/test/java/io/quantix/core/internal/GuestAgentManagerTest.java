package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.GuestAgents;
import io.quantix.api.spi.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the core refuses before any guest agent is asked: bad names, paths, users and passwords, unknown VMs, host
 * files outside the allowed folders, VMs whose hypervisor has no agent. (The calls that reach a real agent run in
 * the agent client's GuestAgentServiceIT.)
 */
class GuestAgentManagerTest {
    private static final String WEB = "3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13";
    private static final String SIM = "5b1d7e2a-0c4f-4a8e-b6d3-9e2f1a7c4b50";
    private static final String OTHER = "8a2e4c6b-1d3f-4e5a-9b7c-2f4e6a8c0d12";

    @TempDir
    Path work;
    /** The VM ids an agent was opened for: the refusals below must leave it empty. */
    private final List<String> asked = new ArrayList<>();
    private VmInventory inventory;
    private GuestAgentManager agents;

    @BeforeEach
    void node() throws Exception {
        BackendRegistry registry = new BackendRegistry(new Events());
        inventory = new VmInventory(registry, new Revisions(work.resolve("revision.properties")), Duration.ofHours(1));
        registry.bindHypervisor(new Hypervisor(false, vm(WEB, "web", "hv")), Map.of(Backend.PROPERTY, "hv"));
        registry.bindHypervisor(new Hypervisor(true, vm(SIM, "sim", "test")), Map.of(Backend.PROPERTY, "test"));
        registry.bindHypervisor(new Hypervisor(false, vm(OTHER, "ch", "other")), Map.of(Backend.PROPERTY, "other"));
        Files.createDirectories(work.resolve("allowed"));
        agents = new GuestAgentManager(inventory, registry, new EdgePolicy(List.of(work.resolve("allowed")),
                Validation.MIB), Duration.ZERO);
        GuestAgents client = id -> {
            asked.add(id);
            throw new AssertionError("the agent of " + id + " was asked");
        };
        agents.bindAgents(client, Map.of(Backend.PROPERTY, "hv"));
        agents.bindAgents(client, Map.of(Backend.PROPERTY, "test"));
    }

    @AfterEach
    void close() {
        agents.close();
        inventory.close();
        assertEquals(List.of(), asked, "no agent is asked for refused input");
    }

    private static Vm vm(String id, String name, String hypervisor) {
        return new Vm(id, VmSpec.builder(name).hypervisor(hypervisor).build(), PowerState.RUNNING, List.of(), List.of());
    }

    private static String refused(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        return e.getMessage();
    }

    private String allowed(String file) {
        return work.resolve("allowed").resolve(file).toString();
    }

    @Test
    void anUnknownOrBadlyNamedVmIsRefused() {
        refused(ErrorCode.NOT_FOUND, () -> agents.status("db"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.freeze("web; reboot"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.thaw(null));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.exec("web", null));
    }

    @Test
    void aSimulatedVmOrOneNoAgentClientServesIsUnsupported() {
        assertTrue(refused(ErrorCode.UNSUPPORTED, () -> agents.status("sim")).contains("simulated"));
        assertTrue(refused(ErrorCode.UNSUPPORTED, () -> agents.exec("ch", ExecRequest.builder("true").build()))
                .contains("'other'"));
    }

    @Test
    void guestPathsAreAbsolute() throws Exception {
        Path source = Files.writeString(work.resolve("allowed/a.txt"), "a");
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.push("web", source.toString(), "etc/motd"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.push("web", source.toString(), "/etc/mo\0td"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.push("web", source.toString(), "/" + "a".repeat(4096)));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.pull("web", "../etc/shadow", allowed("b.txt")));
        assertEquals(List.of(source), list(work.resolve("allowed")));
    }

    @Test
    void hostFilesStayUnderTheAllowedFolders() throws Exception {
        Path escape = Files.createSymbolicLink(work.resolve("allowed/etc"), Path.of("/etc"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.push("web", "/etc/hostname", "/tmp/h"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.push("web", escape.resolve("hostname").toString(), "/tmp/h"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.push("web", "allowed/a.txt", "/tmp/h"));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.pull("web", "/etc/hostname", work.resolve("out").toString()));
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.pull("web", "/etc/hostname", escape.resolve("x").toString()));
        refused(ErrorCode.NOT_FOUND, () -> agents.push("web", allowed("missing.bin"), "/tmp/h"));
        refused(ErrorCode.NOT_FOUND, () -> agents.pull("web", "/etc/hostname", allowed("no/such/dir")));
        assertEquals(List.of(escape), list(work.resolve("allowed")));
        assertEquals(List.of(work.resolve("allowed"), work.resolve("revision.properties")).stream()
                .filter(Files::exists).toList(), list(work));
    }

    @Test
    void aPullNeverOverwritesAHostFile() throws Exception {
        Path kept = Files.write(work.resolve("allowed/kept.bin"), new byte[] {7});
        refused(ErrorCode.ALREADY_EXISTS, () -> agents.pull("web", "/etc/hostname", kept.toString()));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(kept));
    }

    @Test
    void badUsersAndPasswordsAreRefusedWithoutShowingThePassword() {
        for (String user : new String[] {"root:0", "Root", "", "-x", "a".repeat(33), null}) {
            refused(ErrorCode.INVALID_ARGUMENT, () -> agents.setPassword("web", user, "Tr0ub4dor&3".toCharArray()));
        }
        refused(ErrorCode.INVALID_ARGUMENT, () -> agents.setPassword("web", "root", new char[0]));
        String message = refused(ErrorCode.INVALID_ARGUMENT,
                () -> agents.setPassword("web", "root", ("Tr0ub4dor&3" + "x".repeat(1024)).toCharArray()));
        assertTrue(!message.contains("Tr0ub4dor"), message);
    }

    @Test
    void listsAskNoAgent() {
        assertEquals(Map.of(), agents.lastInterfaces());
    }

    private static List<Path> list(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** A hypervisor with one running VM; only reads are expected of it. */
    private static final class Hypervisor extends HypervisorDouble {
        private final boolean simulated;
        private final Vm vm;

        Hypervisor(boolean simulated, Vm vm) {
            this.simulated = simulated;
            this.vm = vm;
        }

        @Override
        public List<Vm> list() {
            return List.of(vm);
        }

        @Override
        public boolean simulated() {
            return simulated;
        }
    }
}
