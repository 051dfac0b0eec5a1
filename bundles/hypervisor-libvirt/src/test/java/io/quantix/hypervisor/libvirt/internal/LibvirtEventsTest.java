package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Capability;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;

/** libvirt's test driver emits lifecycle events like the QEMU driver, through the same event loop. */
class LibvirtEventsTest {
    @TempDir
    Path dir;
    private LibvirtBackend backend;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Consumer<QuantixEvent> recorder = e -> seen.add(e.kind() + " " + e.type() + " " + e.subject());

    @BeforeEach
    void open() {
        backend = new LibvirtBackend();
        backend.open(ConnectionTarget.testNode(dir.resolve("node.xml")));
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void everyStateChangeMapsToOneQuantixTypeAndDefinitionChangesToNone() {
        // detail numbers are libvirt's: STARTED 1 = MIGRATED, STOPPED 2 = CRASHED, 3 = MIGRATED
        assertEquals(Optional.of("STARTED"), LibvirtEvents.type(new DomainEvent(DomainEventType.STARTED, 0)));
        assertEquals(Optional.of("MIGRATED"), LibvirtEvents.type(new DomainEvent(DomainEventType.STARTED, 1)));
        assertEquals(Optional.of("PAUSED"), LibvirtEvents.type(new DomainEvent(DomainEventType.SUSPENDED, 0)));
        assertEquals(Optional.of("PAUSED"), LibvirtEvents.type(new DomainEvent(DomainEventType.PMSUSPENDED, 0)));
        assertEquals(Optional.of("RESUMED"), LibvirtEvents.type(new DomainEvent(DomainEventType.RESUMED, 0)));
        assertEquals(Optional.of("STOPPED"), LibvirtEvents.type(new DomainEvent(DomainEventType.STOPPED, 0)));
        assertEquals(Optional.of("STOPPED"), LibvirtEvents.type(new DomainEvent(DomainEventType.STOPPED, 1)));
        assertEquals(Optional.of("CRASHED"), LibvirtEvents.type(new DomainEvent(DomainEventType.STOPPED, 2)));
        assertEquals(Optional.of("MIGRATED"), LibvirtEvents.type(new DomainEvent(DomainEventType.STOPPED, 3)));
        assertEquals(Optional.of("SHUTDOWN"), LibvirtEvents.type(new DomainEvent(DomainEventType.SHUTDOWN, 0)));
        assertEquals(Optional.of("CRASHED"), LibvirtEvents.type(new DomainEvent(DomainEventType.CRASHED, 0)));
        assertEquals(Optional.empty(), LibvirtEvents.type(new DomainEvent(DomainEventType.DEFINED, 0)));
        assertEquals(Optional.empty(), LibvirtEvents.type(new DomainEvent(DomainEventType.UNDEFINED, 0)));
    }

    @Test
    void powerActionsArriveAsVmEventsInOrderAndStopAfterTheListenerIsRemoved() throws Exception {
        assertTrue(backend.capabilities().contains(Capability.LIFECYCLE_EVENTS));
        backend.addListener(recorder);
        backend.define(Fixtures.ID, Fixtures.spec("web-1"), Fixtures.disks("/data/a.qcow2"), Fixtures.nics());
        for (PowerAction action : List.of(PowerAction.START, PowerAction.PAUSE, PowerAction.RESUME, PowerAction.FORCE_STOP)) {
            backend.power("web-1", action);
        }
        List<String> expected = List.of("VM STARTED web-1", "VM PAUSED web-1", "VM RESUMED web-1", "VM STOPPED web-1");
        await("4 events, seen " + seen, () -> seen.size() >= expected.size());
        assertEquals(expected, seen);

        backend.removeListener(recorder);
        backend.power("web-1", PowerAction.START);
        backend.addListener(e -> seen.add("canary " + e.type()));
        backend.power("web-1", PowerAction.FORCE_STOP);
        await("the canary's STOPPED, seen " + seen, () -> seen.contains("canary STOPPED"));
        // The canary may or may not see the START (events are delivered asynchronously); the removed listener sees neither.
        assertEquals(expected, seen.stream().filter(e -> !e.startsWith("canary ")).toList(), seen.toString());
    }

    @Test
    void aPowerActionReturnsOnceItsEventReachedTheListeners() {
        backend.addListener(recorder);
        backend.define(Fixtures.ID, Fixtures.spec("web-1"), Fixtures.disks("/data/a.qcow2"), Fixtures.nics());
        // What a client relies on: after a force-stop returns, a delete's DELETED cannot overtake the STOPPED.
        for (int round = 0; round < 20; round++) {
            backend.power("web-1", PowerAction.START);
            assertEquals("VM STARTED web-1", seen.get(seen.size() - 1), "the last event after START returned");
            backend.power("web-1", PowerAction.FORCE_STOP);
            assertEquals("VM STOPPED web-1", seen.get(seen.size() - 1), "the last event after FORCE_STOP returned");
        }
    }

    /** Polls for at most 5 s; fails saying what it waited for (the assertion after it would only say what differs). */
    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 5 s: " + what);
            Thread.sleep(20);
        }
    }
}
