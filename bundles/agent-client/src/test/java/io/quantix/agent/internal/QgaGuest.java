package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestAgents;
import io.quantix.guestagent.Agent;
import io.quantix.hypervisor.libvirt.internal.LibvirtBackend;
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest of the real-guest ITs: Debian's qemu-guest-agent in the tiny guest under QEMU (TCG) on the host's
 * libvirtd (src/test/sh/qga-guest-env.sh), a NIC with a known MAC on a bridge of its own, an ext4 data disk, and
 * the agent client on qemu:///system. Each IT class boots its own under its own name. The Quantix agent guest
 * ({@link #bootWithQuantixAgent}) is the same guest with the real Quantix agent program (this build's shaded jar
 * on a jlink'd runtime) serving org.quantix.agent.0 beside qemu-ga.
 */
public final class QgaGuest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QgaGuest.class);
    public static final String UP = "QUANTIX-QGA-UP";
    public static final String IP = "192.0.2.10";
    public static final String HOSTNAME = "qx-qga-guest";
    public static final Duration BOOT = Duration.ofSeconds(120);
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path GUEST = MODULE.resolve("target/tiny-guest");

    private final String name;
    private final String bridge;
    private final LibvirtBackend backend;
    private final GuestAgentsComponent agents = new GuestAgentsComponent();
    private final Vm vm;
    private final boolean quantix;
    private GuestAgent agent;

    private QgaGuest(String name, String mac, String bridge, boolean quantix) throws Exception {
        this.name = name;
        this.bridge = bridge;
        this.quantix = quantix;
        backend = RealLibvirt.open();
        cleanUp();
        String env = MODULE.resolve("src/test/sh/qga-guest-env.sh").toString();
        if (quantix) {
            run("sh", env, GUEST.toString(), agentJar().toString());
        } else {
            run("sh", env, GUEST.toString());
        }
        Path dir = MODULE.resolve("target/it-" + name);
        Files.createDirectories(dir);
        Path disk = dir.resolve("data.raw");
        run("qemu-img", "create", "-q", "-f", "raw", disk.toString(), "32M");
        run("ip", "link", "add", bridge, "type", "bridge");
        run("ip", "link", "set", bridge, "up");
        List<AttachedDisk> disks = List.of(new AttachedDisk(new VolumeRef("it", "data"),
                new DiskSource.File(disk.toString()), VolumeFormat.RAW, DiskBus.VIRTIO));
        List<AttachedNic> nics = List.of(new AttachedNic("lan", "port-" + name, mac, NicModel.VIRTIO,
                new NicBinding.Bridge(bridge)));
        // the Quantix guest's initramfs holds a Java runtime (about 90 MiB unpacked) and runs a JVM
        VmSpec spec = VmSpec.builder(name).memoryMiB(quantix ? 384 : 256).disk(DiskSpec.of("it", 32 * Validation.MIB))
                .directBoot(new DirectBoot(GUEST.resolve("vmlinuz").toString(),
                        GUEST.resolve(quantix ? "qxa-initrd.gz" : "qga-initrd.gz").toString(),
                        "console=ttyS0 quiet panic=-1 no_timer_check"))
                .build();
        vm = backend.define(UUID.randomUUID().toString(), spec, disks, nics);
        long start = System.nanoTime();
        backend.power(name, PowerAction.START);
        RealLibvirt.await("the guest's " + UP + " marker", BOOT, vm, () -> RealLibvirt.console(vm).contains(UP));
        // generous: a TCG guest on a busy host answers slowly
        agents.activate("qemu:///system", Duration.ofSeconds(30));
        awaitAgent();
        LOG.info("guest {} booted and its agent answered in {} ms", name, (System.nanoTime() - start) / 1_000_000);
    }

    /** Boots the guest; close it when done. */
    public static QgaGuest boot(String name, String mac, String bridge) throws Exception {
        return new QgaGuest(name, mac, bridge, false);
    }

    /** Boots the guest that runs the Quantix agent; {@link #agent()} is that agent's client. */
    public static QgaGuest bootWithQuantixAgent(String name, String mac, String bridge) throws Exception {
        return new QgaGuest(name, mac, bridge, true);
    }

    /** The guest agent program's shaded jar, as the reactor (or the local repository) gives it to this module. */
    private static Path agentJar() throws URISyntaxException {
        Path jar = Path.of(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the Quantix guest needs guest-agent's packaged jar, not " + jar
                    + ": run mvn verify (or install guest-agent) first");
        }
        return jar;
    }

    /** What the guest printed on its serial console so far. */
    public String console() {
        return RealLibvirt.console(vm);
    }

    public LibvirtBackend backend() {
        return backend;
    }

    public Vm vm() {
        return vm;
    }

    /** The agent client, as the node binds it for the libvirt backend's VMs. */
    public GuestAgents agents() {
        return agents;
    }

    /** The VM's agent, open for the guest's life. */
    public GuestAgent agent() {
        return agent;
    }

    /** Starts the guest again if a test left it off, and waits for its agent. */
    public void running() throws Exception {
        if (backend.find(name).orElseThrow().state() != PowerState.RUNNING) {
            backend.power(name, PowerAction.START);
        }
        awaitAgent();
    }

    private void awaitAgent() throws Exception {
        if (!quantix) {
            if (agent == null) {
                agent = agents.qemuAgent(vm.id());
            }
            RealLibvirt.await("qemu-ga answering guest-ping through libvirt", BOOT, vm, () -> answers(agent));
            return;
        }
        if (agent != null) {
            agent.close();
            agent = null;
        }
        // the node's choice: the Quantix agent once it answers on its channel, qemu-ga until then
        RealLibvirt.await("the Quantix agent answering on org.quantix.agent.0", BOOT, vm, () -> {
            GuestAgent a = agents.agent(vm.id());
            if (answers(a) && a.info().kind() == AgentInfo.Kind.QUANTIX) {
                agent = a;
                return true;
            }
            a.close();
            return false;
        });
    }

    static boolean answers(GuestAgent a) {
        try {
            a.ping();
            return true;
        } catch (QuantixException e) {
            if (e.code() != ErrorCode.BACKEND_UNAVAILABLE) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        agent.close();
        agents.deactivate();
        cleanUp();
        RealLibvirt.close(backend);
    }

    private void cleanUp() throws IOException, InterruptedException {
        RealLibvirt.remove(backend, name);
        new ProcessBuilder("ip", "link", "del", bridge).redirectErrorStream(true).start().waitFor();
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
