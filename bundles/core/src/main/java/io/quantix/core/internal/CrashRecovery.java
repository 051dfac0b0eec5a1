package io.quantix.core.internal;

import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Vm;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import io.quantix.api.spi.StorageBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the node back in a whole state after a crash (kill -9, power loss), on a thread of its own so that the node
 * starts meanwhile:
 * <ul>
 * <li>every VM create the {@link IntentJournal} still holds is rolled back: its client never got a success. What
 * the intent names is removed where it exists, newest first as {@link UndoLog} does in-process: the domain (only the
 * one with the intent's UUID, stopped first), the cloud-init seed, the ports, the volumes (only when no VM uses
 * them). A rollback waits until every backend and definition it needs is there (they bind in any order at start)
 * and retries failures, for at most {@link #RETRY_BOUND}; what is left then is logged and tried at the next start.
 * <li>every pool is asked to remove what interrupted writes left ({@link StorageBackend#removeLeftovers}), when its
 * backend binds and once the rollbacks are done.
 * </ul>
 */
@Component(immediate = true)
public class CrashRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(CrashRecovery.class);
    static final Duration RETRY_BOUND = Duration.ofMinutes(10);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final IntentJournal journal;
    private final BackendRegistry backends;
    private final StorageManager storage;
    private final NetworkManager networks;
    private final VmInventory inventory;
    private final Events events;
    private final CloudInitSeeds seeds;
    /** Intent id → what its rollback last waited for; touched by the recovery thread only. */
    private final Map<String, String> waitingFor = new java.util.HashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quantix-crash-recovery");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public CrashRecovery(@Reference IntentJournal journal, @Reference BackendRegistry backends,
            @Reference StorageManager storage, @Reference NetworkManager networks, @Reference VmInventory inventory,
            @Reference Events events) {
        this(journal, backends, storage, networks, inventory, events, new CloudInitSeeds(NodeDirectories.data()));
        executor.execute(() -> recover(RETRY_BOUND));
    }

    /** Does nothing by itself: a test calls {@link #recover} on its own thread. */
    CrashRecovery(IntentJournal journal, BackendRegistry backends, StorageManager storage, NetworkManager networks,
            VmInventory inventory, Events events, CloudInitSeeds seeds) {
        this.journal = journal;
        this.backends = backends;
        this.storage = storage;
        this.networks = networks;
        this.inventory = inventory;
        this.events = events;
        this.seeds = seeds;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStorage(StorageBackend backend, Map<String, Object> properties) {
        String name = String.valueOf(properties.get(Backend.PROPERTY));
        executor.execute(() -> removeLeftovers(name, backend));
    }

    void unbindStorage(StorageBackend backend) {
        // nothing to undo: leftovers are looked for again when it returns
    }

    @Deactivate
    void stop() {
        executor.shutdownNow();
    }

    /** Rolls back every leftover intent, retrying until {@code bound}; then clears every pool's leftovers. */
    void recover(Duration bound) {
        List<CreateIntent> left = new ArrayList<>(journal.leftovers());
        Instant deadline = Instant.now().plus(bound);
        while (!left.isEmpty()) {
            left.removeIf(this::rollBack);
            if (left.isEmpty()) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                LOG.error("could not roll back the interrupted creates of VMs {} within {}: tried again at the next start",
                        left.stream().map(CreateIntent::vm).toList(), bound);
                break;
            }
            try {
                Thread.sleep(RETRY_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        backends.storage.snapshot().forEach(this::removeLeftovers);
    }

    /** True once nothing of the intent is left; false if it must be tried again. */
    boolean rollBack(CreateIntent intent) {
        Optional<String> missing = missing(intent);
        if (missing.isPresent()) {
            // once per reason, not once a second
            if (!missing.get().equals(waitingFor.put(intent.id(), missing.get()))) {
                LOG.info("the rollback of the interrupted create of VM {} waits: {}", intent.vm(), missing.get());
            }
            return false;
        }
        UndoLog undo = new UndoLog();
        for (VolumeRef volume : intent.volumes()) {
            undo.done("volume " + volume, () -> deleteVolume(volume));
        }
        for (CreateIntent.Port port : intent.ports()) {
            undo.done("port " + port.id() + " on " + port.network(), () -> networks.deletePort(port.network(), port.id()));
        }
        if (intent.seed()) {
            undo.done("cloud-init seed of VM " + intent.vm(), () -> seeds.delete(intent.id()));
        }
        undo.done("definition of VM " + intent.vm(), () -> undefine(intent));
        if (!undo.undoAll(failure -> { })) {
            return false; // each failure is logged; tried again after a pause
        }
        journal.finish(intent);
        waitingFor.remove(intent.id());
        LOG.warn("rolled back the create of VM {} that the end of the last run interrupted", intent.vm());
        return true;
    }

    /** What the rollback needs and does not have yet: a backend, or a definition not loaded yet. */
    private Optional<String> missing(CreateIntent intent) {
        if (backends.hypervisors.find(intent.hypervisor()).isEmpty()) {
            return Optional.of("hypervisor backend '" + intent.hypervisor() + "' is not bound yet");
        }
        try {
            intent.volumes().forEach(v -> backends.storage.require(storage.spec(v.pool()).backend()));
            intent.ports().forEach(p -> networks.driver(p.network()));
        } catch (QuantixException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.empty();
    }

    /** Only the domain the create defined: a VM of that name with another UUID is someone else's. */
    private void undefine(CreateIntent intent) {
        HypervisorBackend hv = backends.hypervisors.require(intent.hypervisor());
        Optional<Vm> vm = hv.find(intent.vm()).filter(v -> v.id().equals(intent.id()));
        if (vm.isEmpty()) {
            return;
        }
        if (vm.get().state() != PowerState.STOPPED && vm.get().state() != PowerState.CRASHED) {
            hv.power(intent.vm(), PowerAction.FORCE_STOP);
        }
        hv.undefine(intent.vm());
        inventory.forget(vm.get());
        events.publish(QuantixEvent.Kind.VM, "DELETED", intent.vm(),
                "VM rolled back: its create was interrupted when the node stopped");
    }

    /** Only if it is there and no VM has it as a disk. */
    private void deleteVolume(VolumeRef ref) {
        StoragePoolSpec spec = storage.spec(ref.pool());
        if (backends.storage.require(spec.backend()).volumes(spec).stream().noneMatch(v -> v.name().equals(ref.volume()))) {
            return;
        }
        Optional<Vm> user = inventory.diskOf(ref);
        if (user.isPresent()) {
            LOG.warn("volume {} named by an interrupted create is a disk of VM {}: kept", ref, user.get().name());
            return;
        }
        storage.deleteUnused(ref);
    }

    private void removeLeftovers(String backendName, StorageBackend backend) {
        for (StoragePoolSpec pool : storage.specs().stream().filter(s -> s.backend().equals(backendName)).toList()) {
            try {
                backend.removeLeftovers(pool);
            } catch (QuantixException e) {
                LOG.warn("could not look for leftovers of interrupted writes in pool {}: {}", pool.name(), e.getMessage());
            }
        }
    }
}
