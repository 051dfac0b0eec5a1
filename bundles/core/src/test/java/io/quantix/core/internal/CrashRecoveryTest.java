package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NicBinding;
import io.quantix.api.NicSpec;
import io.quantix.api.PoolUsage;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.NetworkDriver;
import io.quantix.api.spi.StorageBackend;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A node killed during a VM create, at every point between two of its side effects, and started again: the intent
 * journal's rollback leaves nothing of the VM. The backends are doubles whose state outlives the "process" (the core's
 * objects), as a hypervisor's store and a pool's files do.
 */
class CrashRecoveryTest {
    /** The side effects of one create with two disks and two NICs, started: volumes, ports, definition, start. */
    private static final int SIDE_EFFECTS = 6;
    private static final VmSpec SPEC = VmSpec.builder("web").hypervisor("hv").disk(DiskSpec.of("p", 64 * Validation.MIB))
            .disk(DiskSpec.of("p", 64 * Validation.MIB)).nic(NicSpec.of("n")).nic(NicSpec.of("n")).build();

    @TempDir
    Path work;

    private final Hypervisor hypervisor = new Hypervisor();
    private final Storage storage = new Storage();
    private final Network network = new Network();
    /** Counts side effects; the one whose number this holds is followed by the crash. */
    private int crashAfter = -1;
    private int effects;

    /** What kill -9 does to the create: it stops where it is, no catch block and no rollback run. */
    private static final class Crash extends Error {
        Crash() {
            super("kill -9");
        }
    }

    private void sideEffect() {
        if (++effects == crashAfter) {
            throw new Crash();
        }
    }

    @Test
    void aCreateInterruptedAfterAnyPrefixOfItsSideEffectsIsRolledBackAtTheNextStart() {
        for (int k = 0; k <= SIDE_EFFECTS; k++) {
            effects = 0;
            crashAfter = k;
            Node first = new Node(true);
            if (k == 0) {
                // killed just after the intent was written, before anything was made
                first.journal.begin(new CreateIntent(java.util.UUID.randomUUID().toString(), "web", "hv",
                        List.of(new VolumeRef("p", "web-disk0")), List.of(), false));
            } else {
                assertThrows(Crash.class, () -> first.vms.create(SPEC, true), "crash after side effect " + k);
            }
            assertEquals(k, effects, "side effects made before the crash");
            assertEquals(1, intentFiles().size(), "the interrupted create is on record");

            Node second = new Node(true);
            second.recovery.recover(Duration.ofSeconds(5));

            String at = "after a crash following side effect " + k + ": ";
            assertEquals(Set.of(), hypervisor.domains.keySet(), at + "no domain");
            assertEquals(Set.of(), storage.volumes, at + "no volume");
            assertEquals(Set.of(), network.ports, at + "no port");
            assertEquals(List.of(), intentFiles(), at + "the intent is gone");
            assertTrue(storage.leftoverSweeps > 0, at + "the pool was swept for leftovers");
        }
    }

    @Test
    void aCompletedCreateLeavesNoIntentAndIsKeptAtTheNextStart() {
        Node first = new Node(true);
        Vm vm = first.vms.create(SPEC, true);
        assertEquals(List.of(), intentFiles());

        new Node(true).recovery.recover(Duration.ofSeconds(5));

        assertEquals(Set.of("web"), hypervisor.domains.keySet());
        assertEquals(vm.id(), hypervisor.domains.get("web").id());
        assertEquals(new TreeSet<>(List.of("web-disk0", "web-disk1")), new TreeSet<>(storage.volumes));
        assertEquals(2, network.ports.size());
    }

    @Test
    void aRetryWaitsForTheRollbackAndTheRollbackWaitsForItsBackends() {
        crashAfter = 3;
        Node first = new Node(true);
        assertThrows(Crash.class, () -> first.vms.create(SPEC, false));

        // restarted without its storage backend: nothing can be undone yet, nor may the same VM be created again
        Node second = new Node(false);
        second.recovery.recover(Duration.ZERO);
        assertEquals(1, intentFiles().size(), "kept until the pool's backend is here");
        assertEquals(2, storage.volumes.size());
        crashAfter = -1;
        VmSpec diskless = VmSpec.builder("web").hypervisor("hv").build();
        QuantixException retry = assertThrows(QuantixException.class, () -> second.vms.create(diskless, false));
        assertEquals(ErrorCode.CONFLICT, retry.code(), retry.getMessage());

        second.registry.bindStorage(storage, Map.of(Backend.PROPERTY, "fake"));
        second.recovery.recover(Duration.ofSeconds(5));
        assertEquals(Set.of(), storage.volumes);
        assertEquals(Set.of(), network.ports);
        assertEquals(List.of(), intentFiles());
        assertEquals("web", second.vms.create(SPEC, false).name(), "created once the rollback is done");
    }

    @Test
    void aDomainOfTheSameNameButAnotherUuidIsNotTouched() {
        Node node = new Node(true);
        node.journal.begin(new CreateIntent(java.util.UUID.randomUUID().toString(), "web", "hv", List.of(), List.of(),
                false));
        hypervisor.domains.put("web", vm(java.util.UUID.randomUUID().toString(), PowerState.RUNNING));

        new Node(true).recovery.recover(Duration.ofSeconds(5));

        assertEquals(Set.of("web"), hypervisor.domains.keySet());
        assertEquals(List.of(), intentFiles());
    }

    @Test
    void anIntentWhoseWriteWasCutShortWasNeverOneAndGoes() throws IOException {
        Files.createDirectories(work.resolve("intents"));
        Files.writeString(work.resolve("intents").resolve("." + java.util.UUID.randomUUID() + ".intent.tmp"), "operation=vm-cr");

        IntentJournal journal = new IntentJournal(work.resolve("intents"));

        assertEquals(List.of(), journal.leftovers());
        assertEquals(List.of(), intentFiles());
    }

    private List<Path> intentFiles() {
        try (Stream<Path> files = Files.list(work.resolve("intents"))) {
            return files.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Vm vm(String id, PowerState state) {
        return new Vm(id, VmSpec.builder("web").hypervisor("hv").build(), state, List.of(), List.of());
    }

    /** One run of the node's core over the same backends and data directory. */
    private final class Node {
        final BackendRegistry registry;
        final IntentJournal journal = new IntentJournal(work.resolve("intents"));
        final VmManager vms;
        final CrashRecovery recovery;

        Node(boolean withStorage) {
            Events events = new Events();
            registry = new BackendRegistry(events);
            VmInventory inventory = new VmInventory(registry, new Revisions(work.resolve("revision.properties")),
                java.time.Duration.ofHours(1));
            EdgePolicy policy = new EdgePolicy(List.of(work), Validation.MIB);
            StorageManager storageManager = new StorageManager(registry, events, configAdmin(), inventory, policy);
            NetworkManager networkManager = new NetworkManager(registry, events, configAdmin(), inventory,
                    new NetworkTombstones(work.resolve("tombstones.properties")));
            registry.bindHypervisor(hypervisor, Map.of(Backend.PROPERTY, "hv"));
            if (withStorage) {
                registry.bindStorage(storage, Map.of(Backend.PROPERTY, "fake"));
            }
            registry.bindNetwork(network, Map.of(Backend.PROPERTY, "fake"));
            vms = new VmManager(registry, storageManager, networkManager, events, inventory, policy, journal,
                    new GuestAgentManager(inventory, registry, policy, java.time.Duration.ZERO),
                    new QuiescedSnapshots(work.resolve("data/quiesced-snapshots.properties")));
            recovery = new CrashRecovery(journal, registry, storageManager, networkManager, inventory, events,
                    new CloudInitSeeds(work.resolve("data")));
        }
    }

    /** Config Admin holding pool "p" and bridge network "n". */
    private static ConfigurationAdmin configAdmin() {
        Configuration pool = configuration(StorageManager.FACTORY_PID + "~p", Map.of(DefinitionStore.NAME, "p",
                "backend", "fake"));
        Configuration net = configuration(NetworkManager.FACTORY_PID + "~n", Map.of(DefinitionStore.NAME, "n",
                "driver", "fake", "type", "BRIDGE", "dhcp", "false"));
        return (ConfigurationAdmin) Proxy.newProxyInstance(CrashRecoveryTest.class.getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("listConfigurations")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    String filter = (String) args[0];
                    if (filter.contains(StorageManager.FACTORY_PID)) {
                        return new Configuration[] {pool};
                    }
                    return filter.contains(NetworkManager.FACTORY_PID + "~") || filter.contains(NetworkManager.FACTORY_PID + ")")
                            ? new Configuration[] {net} : null;
                });
    }

    private static Configuration configuration(String pid, Map<String, String> properties) {
        return (Configuration) Proxy.newProxyInstance(CrashRecoveryTest.class.getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getPid" -> pid;
                    case "getProperties" -> {
                        Dictionary<String, Object> props = new Hashtable<>(properties);
                        yield props;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Domains by name; every define and start is a side effect. */
    private final class Hypervisor extends HypervisorDouble {
        final Map<String, Vm> domains = new ConcurrentHashMap<>();

        @Override
        public List<Vm> list() {
            return List.copyOf(domains.values());
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.LIFECYCLE_EVENTS);
        }

        @Override
        public Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics) {
            Vm vm = new Vm(id, spec, PowerState.STOPPED, disks, nics);
            domains.put(spec.name(), vm);
            sideEffect();
            return vm;
        }

        @Override
        public void power(String name, PowerAction action) {
            Vm vm = domains.get(name);
            domains.put(name, vm.withState(action == PowerAction.START ? PowerState.RUNNING : PowerState.STOPPED));
            if (action == PowerAction.START) {
                sideEffect();
            }
        }

        @Override
        public void undefine(String name) {
            if (domains.get(name).state() != PowerState.STOPPED) {
                throw new QuantixException(ErrorCode.CONFLICT, "libvirt: domain is running");
            }
            domains.remove(name);
        }
    }

    private final class Storage implements StorageBackend {
        final Set<String> volumes = ConcurrentHashMap.newKeySet();
        int leftoverSweeps;

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.QCOW2);
        }

        @Override
        public String description() {
            return "volumes in memory";
        }

        @Override
        public PoolUsage probe(StoragePoolSpec pool) {
            return new PoolUsage(Validation.GIB, 0, Validation.GIB);
        }

        @Override
        public List<Volume> volumes(StoragePoolSpec pool) {
            return volumes.stream().map(v -> volume(pool, v)).toList();
        }

        @Override
        public Volume createVolume(StoragePoolSpec pool, VolumeSpec spec) {
            if (!volumes.add(spec.name())) {
                throw QuantixException.alreadyExists("volume", spec.name());
            }
            sideEffect();
            return volume(pool, spec.name());
        }

        @Override
        public void deleteVolume(StoragePoolSpec pool, String volume) {
            if (!volumes.remove(volume)) {
                throw QuantixException.notFound("volume", volume);
            }
        }

        @Override
        public Volume resizeVolume(StoragePoolSpec pool, String volume, long newSizeBytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeLeftovers(StoragePoolSpec pool) {
            leftoverSweeps++;
        }

        private static Volume volume(StoragePoolSpec pool, String name) {
            return new Volume(new VolumeRef(pool.name(), name), io.quantix.api.VolumeFormat.QCOW2, 64 * Validation.MIB, 0,
                    new DiskSource.File("/pool/" + name + ".qcow2"), false);
        }
    }

    private final class Network implements NetworkDriver {
        final Set<String> ports = ConcurrentHashMap.newKeySet();

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.BRIDGE);
        }

        @Override
        public String description() {
            return "ports in memory";
        }

        @Override
        public void ensure(NetworkSpec spec) {
        }

        @Override
        public void remove(NetworkSpec spec) {
        }

        @Override
        public NicBinding createPort(NetworkSpec spec, String portId, String mac) {
            ports.add(portId);
            sideEffect();
            return new NicBinding.Bridge("br0");
        }

        @Override
        public void deletePort(NetworkSpec spec, String portId) {
            ports.remove(portId);
        }
    }
}
