package io.quantix.core.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FileTransfer;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestAgents;
import io.quantix.api.agent.GuestFile;
import io.quantix.api.agent.GuestInput;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.ShutdownMode;
import io.quantix.api.agent.GuestStatus;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.HypervisorBackend;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest agents by VM name, for every front end: checks the input, finds the VM and its hypervisor, then asks the
 * agent client that serves that hypervisor's VMs (registered under its backend name). Keeps each VM's interfaces as
 * last reported so that VM lists show guest IPs without asking any agent; a slow refresh keeps them current.
 */
@Component(service = {GuestAgentService.class, EventHandler.class}, configurationPid = GuestAgentManager.PID,
        property = {EventConstants.EVENT_TOPIC + "=" + QuantixEvent.TOPIC_PREFIX + "vm/RESUMED",
            EventConstants.EVENT_TOPIC + "=" + QuantixEvent.TOPIC_PREFIX + "vm/MIGRATED"})
@Designate(ocd = GuestAgentManager.Config.class)
public class GuestAgentManager implements GuestAgentService, EventHandler {
    static final String PID = "io.quantix.agents";
    private static final Logger LOG = LoggerFactory.getLogger(GuestAgentManager.class);

    @ObjectClassDefinition(id = PID, name = "Quantix guest agents by VM")
    @interface Config {
        @AttributeDefinition(description = "Seconds between two refreshes of the running VMs' guest IPs (one agent"
                + " call per VM, one VM at a time); 0 refreshes them only when an agent is asked.", min = "0")
        int refreshSeconds() default 60;
    }

    private final VmInventory inventory;
    private final BackendRegistry backends;
    private final EdgePolicy policy;
    /** Agent clients by the name of the hypervisor backend whose VMs they reach. */
    private final Map<String, GuestAgents> clients = new ConcurrentHashMap<>();
    /** By VM id: a renamed VM keeps them, a deleted one is dropped at the next refresh. */
    private final Map<String, List<GuestInterface>> lastInterfaces = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "quantix-guest-ips");
        thread.setDaemon(true);
        return thread;
    });

    @Activate
    public GuestAgentManager(@Reference VmInventory inventory, @Reference BackendRegistry backends,
            @Reference EdgePolicy policy, Config config) {
        this(inventory, backends, policy, Duration.ofSeconds(config.refreshSeconds()));
    }

    GuestAgentManager(VmInventory inventory, BackendRegistry backends, EdgePolicy policy, Duration refresh) {
        this.inventory = inventory;
        this.backends = backends;
        this.policy = policy;
        if (!refresh.isZero()) {
            refresher.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Deactivate
    void close() {
        refresher.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAgents(GuestAgents agents, Map<String, Object> properties) {
        backendName(properties).ifPresent(name -> clients.put(name, agents));
    }

    void unbindAgents(GuestAgents agents, Map<String, Object> properties) {
        backendName(properties).ifPresent(name -> clients.remove(name, agents));
    }

    private static Optional<String> backendName(Map<String, Object> properties) {
        return Optional.ofNullable(properties.get(Backend.PROPERTY)).map(String::valueOf).filter(s -> !s.isBlank());
    }

    @Override
    public GuestStatus status(String vm) {
        return call(vm, agent -> new GuestStatus(agent.info(), agent.osInfo(), agent.hostname(), agent.interfaces()),
                status -> remember(vm, status.interfaces()));
    }

    @Override
    public ExecResult exec(String vm, ExecRequest request) {
        Validation.required("exec request", request);
        return call(vm, agent -> agent.exec(request), r -> { });
    }

    @Override
    public FileTransfer push(String vm, String hostPath, String guestPath) {
        Path source = Path.of(policy.hostPath("host file", hostPath));
        GuestInput.path(guestPath);
        Agent target = agent(vm);
        byte[] content;
        try {
            if (!Files.isRegularFile(source)) {
                throw QuantixException.notFound("host file", hostPath);
            }
            GuestInput.fileSize("a file pushed to a guest", Files.size(source));
            content = Files.readAllBytes(source);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the node cannot read " + hostPath + ": "
                    + e.getMessage(), e);
        }
        try (GuestAgent agent = target.open()) {
            FileTransfer sent = agent.push(guestPath, content);
            LOG.info("pushed {} ({} bytes, SHA-256 {}) to {} in VM {}", hostPath, sent.bytes(), sent.sha256(),
                    guestPath, vm);
            return sent;
        }
    }

    @Override
    public FileTransfer pull(String vm, String guestPath, String hostPath) {
        GuestInput.path(guestPath);
        Path target = Path.of(policy.hostPath("host file", hostPath));
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw QuantixException.alreadyExists("host file", hostPath);
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw QuantixException.notFound("host folder", String.valueOf(target.getParent()));
        }
        Agent source = agent(vm);
        GuestFile file;
        try (GuestAgent agent = source.open()) {
            file = agent.pull(guestPath, GuestInput.MAX_FILE_BYTES);
        }
        // written to a new file beside the target, then moved under the name asked for unless that exists by now:
        // a failed copy leaves nothing, and no file of the node is overwritten
        Path partial = null;
        try {
            partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
            Files.write(partial, file.content());
            Files.move(partial, target);
        } catch (FileAlreadyExistsException e) {
            throw QuantixException.alreadyExists("host file", hostPath);
        } catch (NoSuchFileException e) {
            throw QuantixException.notFound("host folder", String.valueOf(target.getParent()));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the node cannot write " + hostPath + ": "
                    + e.getMessage(), e);
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    LOG.warn("could not remove {}: {}", partial, e.getMessage());
                }
            }
        }
        LOG.info("pulled {} ({} bytes, SHA-256 {}) from VM {} to {}", guestPath, file.content().length, file.sha256(),
                vm, hostPath);
        return new FileTransfer(hostPath, file.content().length, file.sha256());
    }

    @Override
    public int freeze(String vm) {
        return call(vm, GuestAgent::freeze, n -> LOG.info("froze {} filesystems of VM {}", n, vm));
    }

    @Override
    public int thaw(String vm) {
        return call(vm, GuestAgent::thaw, n -> LOG.info("thawed {} filesystems of VM {}", n, vm));
    }

    @Override
    public <T> T quiesced(String vm, Supplier<T> work) {
        Validation.required("work", work);
        return call(vm, agent -> agent.quiesced(work), r -> LOG.info("VM {}: thawed after its quiesced work", vm));
    }

    @Override
    public void syncTime(String vm) {
        call(vm, agent -> {
            agent.syncTime();
            return vm;
        }, v -> LOG.info("set the clock of VM {} to the node's", v));
    }

    /**
     * A resumed or migrated-in guest's clock is behind by the time it was paused or in flight: set it from the
     * node's, in the background. A VM without an agent (or whose agent cannot set the clock) keeps its own.
     */
    @Override
    public void handleEvent(Event event) {
        String vm = String.valueOf(event.getProperty(QuantixEvent.SUBJECT));
        try {
            refresher.execute(() -> {
                try {
                    if (inventory.find(vm).map(v -> v.state() == PowerState.RUNNING).orElse(false)) {
                        syncTime(vm);
                    }
                } catch (QuantixException e) {
                    LOG.debug("clock of VM {} not set after {}: {}", vm, event.getProperty(QuantixEvent.TYPE),
                            e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("clock of VM {} not set: the node is stopping", vm);
        }
    }

    @Override
    public void shutdown(String vm, ShutdownMode mode) {
        Validation.required("shutdown mode", mode);
        call(vm, agent -> {
            agent.shutdown(mode);
            return mode;
        }, m -> LOG.info("asked the guest agent of VM {} to {}", vm, m.wire()));
    }

    @Override
    public void setPassword(String vm, String user, char[] password) {
        GuestInput.user(user);
        GuestInput.password(password);
        call(vm, agent -> {
            agent.setUserPassword(user, password);
            return user;
        }, u -> LOG.info("set the password of user {} in VM {}", u, vm));
    }

    @Override
    public Map<String, List<GuestInterface>> lastInterfaces() {
        return Map.copyOf(lastInterfaces);
    }

    /**
     * Asks every running VM whose hypervisor has an agent client for its interfaces; one that does not answer keeps
     * what it had.
     */
    void refresh() {
        List<Vm> vms = inventory.list();
        lastInterfaces.keySet().retainAll(vms.stream().map(Vm::id).toList());
        for (Vm vm : vms) {
            if (vm.state() != PowerState.RUNNING || !clients.containsKey(vm.spec().hypervisor())) {
                continue;
            }
            try (GuestAgent agent = agent(vm.name()).open()) {
                lastInterfaces.put(vm.id(), agent.interfaces());
            } catch (QuantixException e) {
                LOG.debug("guest IPs of VM {} not refreshed: {}", vm.name(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("guest IPs of VM {} not refreshed", vm.name(), e);
            }
        }
    }

    private void remember(String vm, List<GuestInterface> interfaces) {
        inventory.find(vm).ifPresent(v -> lastInterfaces.put(v.id(), interfaces));
    }

    private <T> T call(String vm, Function<GuestAgent, T> work, Consumer<T> after) {
        try (GuestAgent agent = agent(vm).open()) {
            T result = work.apply(agent);
            after.accept(result);
            return result;
        }
    }

    /** A VM's agent, found before anything is sent to it. */
    private Agent agent(String name) {
        Validation.name("VM", name);
        Vm vm = inventory.find(name).orElseThrow(() -> QuantixException.notFound("VM", name));
        String hypervisor = vm.spec().hypervisor();
        HypervisorBackend hv = backends.hypervisors.require(hypervisor);
        if (hv.simulated()) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "VM " + name + " runs on a simulated hypervisor ("
                    + hv.description() + "): it has no guest agent");
        }
        GuestAgents client = clients.get(hypervisor);
        if (client == null) {
            // the libvirt backend and its agent client ship in one feature, so this is a backend none serves
            throw new QuantixException(ErrorCode.UNSUPPORTED, "VM " + name + " runs on hypervisor '" + hypervisor
                    + "', whose guests' agents this node cannot reach (the agent client serves: "
                    + String.join(", ", clients.keySet()) + ")");
        }
        return new Agent(client, vm.id());
    }

    private record Agent(GuestAgents client, String vmId) {
        /** The Quantix agent when it answers, else the guest's qemu-guest-agent. */
        GuestAgent open() {
            return client.agent(vmId);
        }
    }
}
