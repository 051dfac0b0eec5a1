package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory over a hypervisor double that keeps its VMs in a map and, like libvirt, reports state changes to its
 * listeners only when the test says so: a change without an event is what the resync must find.
 */
class VmInventoryTest {
    private static final Duration RESYNC = Duration.ofMillis(100);
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final VolumeRef DISK = new VolumeRef("p", "web-disk0");
    private static final String MAC = "52:54:00:12:34:56";

    @TempDir
    Path work;

    private final Hypervisor hv = new Hypervisor();
    private final Events events = new Events();
    private final BackendRegistry registry = new BackendRegistry(events);
    private VmInventory inventory;

    @AfterEach
    void close() {
        if (inventory != null) {
            inventory.close();
        }
    }

    @Test
    void eventsKeepTheInventoryCurrent() {
        hv.put(vm("web", PowerState.STOPPED));
        start();
        assertEquals(List.of("web"), names());
        long before = inventory.find("web").orElseThrow().version();

        hv.put(vm("web", PowerState.RUNNING));
        hv.report("STARTED", "web");
        // whoever heard the event and asks at once sees the new state
        Vm now = inventory.find("web").orElseThrow();
        assertEquals(PowerState.RUNNING, now.state());
        assertTrue(now.version() > before, now.version() + " after " + before);

        hv.put(vm("db", PowerState.RUNNING));
        hv.report("STARTED", "db");
        await("the list to show db after its event", () -> names().equals(List.of("db", "web")));
        long resyncs = inventory.stats().resyncs();
        awaitResyncs(resyncs + 2);
        assertEquals(0, inventory.stats().repairs(), "the events left nothing to repair");
    }

    @Test
    void whoeverHearsThePublishedEventAndListsSeesTheChange() {
        hv.put(vm("web", PowerState.RUNNING));
        start();
        // what the web console does: hear the event on the node's stream, then list (never find) at once
        List<PowerState> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.osgi.service.event.EventAdmin admin = new org.osgi.service.event.EventAdmin() {
            @Override
            public void postEvent(org.osgi.service.event.Event event) {
                sendEvent(event);
            }

            @Override
            public void sendEvent(org.osgi.service.event.Event event) {
                // the hypervisor's AVAILABLE from start() may come late: only VM events are this test's
                if (event.getTopic().startsWith("io/quantix/vm/")) {
                    seen.add(inventory.list().get(0).state());
                }
            }
        };
        events.eventAdmin = admin;
        for (int i = 0; i < 50; i++) {
            PowerState next = i % 2 == 0 ? PowerState.PAUSED : PowerState.RUNNING;
            hv.put(vm("web", next));
            hv.report(next == PowerState.PAUSED ? "PAUSED" : "RESUMED", "web");
            int heard = i + 1;
            await("the event stream to carry event " + heard, () -> seen.size() >= heard);
            assertEquals(next, seen.get(i), "the list read right after event " + heard);
        }
    }

    @Test
    void aChangeWithoutAnEventIsRepairedByTheResyncAndCounted() {
        hv.put(vm("a", PowerState.RUNNING));
        hv.put(vm("b", PowerState.RUNNING));
        start();
        long versionOfB = inventory.find("b").orElseThrow().version();
        assertEquals(0, inventory.stats().repairs());

        hv.remove("a");
        hv.put(vm("b", PowerState.PAUSED));
        hv.put(vm("c", PowerState.STOPPED));
        await("the resync to repair a, b and c", () -> names().equals(List.of("b", "c"))
                && inventory.list().get(0).state() == PowerState.PAUSED);
        assertEquals(3, inventory.stats().repairs());
        assertTrue(inventory.stats().lastResync().isPresent());
        assertTrue(inventory.list().get(0).version() > versionOfB);

        long repairs = inventory.stats().repairs();
        awaitResyncs(inventory.stats().resyncs() + 2);
        assertEquals(repairs, inventory.stats().repairs(), "an unchanged hypervisor needs no more repairs");
    }

    @Test
    void versionsOnlyGoUpAndAnUnchangedVmKeepsItsVersion() {
        hv.put(vm("web", PowerState.STOPPED));
        start();
        long first = inventory.find("web").orElseThrow().version();
        awaitResyncs(inventory.stats().resyncs() + 2);
        assertEquals(first, inventory.find("web").orElseThrow().version(), "a resync that finds no change keeps it");

        hv.put(vm("web", PowerState.RUNNING));
        long second = inventory.reload("hv", "web").version();
        assertTrue(second > first);
        long highest = inventory.stats().revision();
        assertTrue(highest >= second);

        // a restart: a new inventory over the same revision file
        Hypervisor again = new Hypervisor();
        again.put(vm("web", PowerState.RUNNING));
        inventory = restartedOn(again);
        assertTrue(inventory.find("web").orElseThrow().version() > highest,
                "versions after the restart are above " + highest);
    }

    @Test
    void theVmsOfAHypervisorThatGoesAwayStayListedAsUnavailable() {
        hv.put(vm("web", PowerState.RUNNING));
        start();
        long live = inventory.find("web").orElseThrow().version();

        registry.unbindHypervisor(hv, properties());
        Vm away = inventory.find("web").orElseThrow();
        assertEquals(PowerState.UNAVAILABLE, away.state());
        assertTrue(away.version() > live);
        assertEquals(PowerState.UNAVAILABLE, inventory.list().get(0).state());
        assertEquals(PowerState.UNAVAILABLE, inventory.reload("hv", "web").state());

        registry.bindHypervisor(hv, properties());
        Vm back = inventory.find("web").orElseThrow();
        assertEquals(PowerState.RUNNING, back.state());
        assertTrue(back.version() > away.version());
    }

    @Test
    void disksAndMacsInUseComeFromTheIndex() {
        hv.put(vm("web", PowerState.RUNNING, true));
        hv.put(vm("db", PowerState.RUNNING));
        start();
        assertEquals("web", inventory.diskOf(DISK).orElseThrow().name());
        assertTrue(inventory.macInUse(MAC));
        assertFalse(inventory.macInUse("52:54:00:00:00:01"));
        assertTrue(inventory.diskOf(new VolumeRef("p", "other")).isEmpty());

        // the disk and NIC are unplugged: the core reads the VM again
        hv.put(vm("web", PowerState.RUNNING));
        inventory.reload("hv", "web");
        assertTrue(inventory.diskOf(DISK).isEmpty());
        assertFalse(inventory.macInUse(MAC));

        // deleted: gone from every index
        hv.put(vm("web", PowerState.STOPPED, true));
        inventory.reload("hv", "web");
        assertTrue(inventory.macInUse(MAC));
        hv.remove("web");
        inventory.forget(inventory.find("web").orElseThrow());
        assertEquals(List.of("db"), names());
        assertTrue(inventory.diskOf(DISK).isEmpty());
        assertFalse(inventory.macInUse(MAC));
    }

    private void start() {
        inventory = new VmInventory(registry, revisions(), RESYNC);
        registry.bindHypervisor(hv, properties());
    }

    private VmInventory restartedOn(Hypervisor hypervisor) {
        inventory.close();
        BackendRegistry fresh = new BackendRegistry(new Events());
        VmInventory restarted = new VmInventory(fresh, revisions(), RESYNC);
        fresh.bindHypervisor(hypervisor, properties());
        return restarted;
    }

    private Revisions revisions() {
        return new Revisions(work.resolve("revision.properties"));
    }

    private static Map<String, Object> properties() {
        return Map.of(Backend.PROPERTY, "hv");
    }

    private List<String> names() {
        return inventory.list().stream().map(Vm::name).toList();
    }

    private void awaitResyncs(long count) {
        await(count + " resyncs", () -> inventory.stats().resyncs() >= count);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + BOUND + " for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    private static Vm vm(String name, PowerState state) {
        return vm(name, state, false);
    }

    /** The same name always has the same id; with devices: one disk from {@link #DISK} and a NIC of {@link #MAC}. */
    private static Vm vm(String name, PowerState state, boolean devices) {
        List<AttachedDisk> disks = devices ? List.of(new AttachedDisk(DISK, new DiskSource.File("/pools/p/web-disk0"),
                VolumeFormat.QCOW2, DiskBus.VIRTIO)) : List.of();
        List<AttachedNic> nics = devices ? List.of(new AttachedNic("n", "port-1", MAC, NicModel.VIRTIO,
                new NicBinding.Bridge("br0"))) : List.of();
        return new Vm(java.util.UUID.nameUUIDFromBytes(name.getBytes()).toString(),
                VmSpec.builder(name).hypervisor("hv").build(), state, disks, nics);
    }

    /** Keeps its VMs in a map, as a hypervisor keeps domains; tells its listeners only what the test reports. */
    private static final class Hypervisor extends HypervisorDouble {
        private final Map<String, Vm> vms = new ConcurrentHashMap<>();
        private final Set<Consumer<QuantixEvent>> listeners = new CopyOnWriteArraySet<>();

        void put(Vm vm) {
            vms.put(vm.name(), vm);
        }

        void remove(String name) {
            vms.remove(name);
        }

        void report(String type, String name) {
            QuantixEvent event = QuantixEvent.of(QuantixEvent.Kind.VM, type, name, "reported by the test");
            listeners.forEach(l -> l.accept(event));
        }

        @Override
        public List<Vm> list() {
            return List.copyOf(vms.values());
        }

        @Override
        public Optional<Vm> find(String name) {
            return Optional.ofNullable(vms.get(name));
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.LIFECYCLE_EVENTS);
        }

        @Override
        public void addListener(Consumer<QuantixEvent> listener) {
            listeners.add(listener);
        }

        @Override
        public void removeListener(Consumer<QuantixEvent> listener) {
            listeners.remove(listener);
        }
    }
}
