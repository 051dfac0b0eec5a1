package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseReason;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventDetail;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;
import org.libvirt.event.StartedDetail;
import org.libvirt.event.StoppedDetail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libvirt's domain lifecycle events into Quantix VM events, and reopens the backend's connection when
 * libvirtd goes away (a restart, a crash): libvirt then closes the connection, and with it every event
 * registration, so both are redone, retrying with a growing pause until libvirtd answers again.
 * <p>
 * Callbacks run on libvirt's event-loop thread and never take the backend's lock: the backend holds it while it
 * stops that thread. Only domains with Quantix metadata produce events; others are not Quantix's business.
 */
final class LibvirtEvents {
    /** Reopens the backend's connection; returns it with events attached, or empty if the backend was closed. */
    @FunctionalInterface
    interface Reconnect {
        Optional<Connect> reopen() throws LibvirtException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtEvents.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);
    /** A hung (not dead) libvirtd is noticed after INTERVAL x (COUNT + 1) seconds without an answer. */
    private static final int KEEPALIVE_INTERVAL_SECONDS = 5;
    private static final int KEEPALIVE_COUNT = 3;

    private final Set<Consumer<QuantixEvent>> listeners = new CopyOnWriteArraySet<>();
    private final LifecycleListener lifecycle = this::onLifecycle;
    /** UUIDs of the Quantix domains seen in events, until they are undefined. */
    private final Set<String> managed = ConcurrentHashMap.newKeySet();
    /** Per domain UUID, how many state events have reached the listeners; guarded by itself. */
    private final Map<String, Long> delivered = new HashMap<>();
    private final Reconnect reconnect;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "quantix-libvirt-reconnect");
        thread.setDaemon(true);
        return thread;
    });

    LibvirtEvents(Reconnect reconnect) {
        this.reconnect = reconnect;
    }

    void addListener(Consumer<QuantixEvent> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<QuantixEvent> listener) {
        listeners.remove(listener);
    }

    /** Registers for lifecycle events and the connection's end on a newly opened connection. */
    void attach(Connect connect) throws LibvirtException {
        connect.addLifecycleListener(lifecycle);
        connect.registerCloseListener((c, reason) -> onClose(reason));
        try {
            connect.setKeepAlive(KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT);
        } catch (LibvirtException e) {
            // Local drivers (test://) have no socket to keep alive.
            if (!LibvirtErrors.unsupported(e)) {
                throw e;
            }
        }
    }

    /** Undoes {@link #attach} on a connection about to be closed; a dead one has nothing left to undo. */
    void detach(Connect connect) {
        try {
            connect.unregisterCloseListener();
            connect.removeLifecycleListener(lifecycle);
        } catch (LibvirtException e) {
            LOG.debug("removing event registrations failed (the connection is likely gone): {}", e.getMessage());
        }
    }

    /** How many state events of the domain have reached the listeners so far (see {@link #awaitNext}). */
    long deliveredSoFar(String uuid) {
        synchronized (delivered) {
            return delivered.getOrDefault(uuid, 0L);
        }
    }

    /**
     * Waits until a state event of the domain beyond the first {@code soFar} has reached the listeners, so that a
     * power action returns after its event: libvirt reports it on its event thread, and without the wait a delete
     * right after a force-stop could publish DELETED before the STOPPED. False when none came within the bound
     * (nobody listening, or a loaded host); the action itself has happened either way.
     */
    boolean awaitNext(String uuid, long soFar, Duration within) {
        if (listeners.isEmpty()) {
            return false;
        }
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (delivered) {
            while (delivered.getOrDefault(uuid, 0L) <= soFar) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(delivered, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Stops reconnecting; a retry already waiting for the backend finds it closed. */
    void close() {
        retries.shutdownNow();
        listeners.clear();
    }

    /** The Quantix event type of a libvirt lifecycle event; empty for those that are not a state change. */
    static Optional<String> type(DomainEvent event) {
        DomainEventDetail detail = event.getDetail();
        return Optional.ofNullable(switch (event.getType()) {
            case STARTED -> detail == StartedDetail.MIGRATED ? "MIGRATED" : "STARTED";
            case SUSPENDED, PMSUSPENDED -> "PAUSED";
            case RESUMED -> "RESUMED";
            case STOPPED -> detail == StoppedDetail.CRASHED ? "CRASHED"
                    : detail == StoppedDetail.MIGRATED ? "MIGRATED" : "STOPPED";
            case SHUTDOWN -> "SHUTDOWN";
            case CRASHED -> "CRASHED";
            // Definition changes are the core's own CREATED and DELETED; UNKNOWN says nothing.
            case DEFINED, UNDEFINED, UNKNOWN -> null;
        });
    }

    private int onLifecycle(Domain domain, DomainEvent event) {
        try {
            String uuid = domain.getUUIDString();
            if (event.getType() == DomainEventType.UNDEFINED) {
                managed.remove(uuid);
                synchronized (delivered) {
                    delivered.remove(uuid);
                }
                return 0;
            }
            Optional<String> type = type(event);
            if (listeners.isEmpty() || !quantix(domain, uuid) || type.isEmpty()) {
                return 0;
            }
            String name = domain.getName();
            QuantixEvent quantix = QuantixEvent.of(QuantixEvent.Kind.VM, type.get(), name, message(event));
            listeners.forEach(l -> l.accept(quantix));
            synchronized (delivered) {
                delivered.merge(uuid, 1L, Long::sum);
                delivered.notifyAll();
            }
        } catch (LibvirtException e) {
            // A transient domain may be gone by now: nothing to report then. Anything else is worth knowing.
            if (LibvirtErrors.map(e, null).code() == ErrorCode.NOT_FOUND) {
                LOG.debug("lifecycle event {} of a vanished domain: {}", event, e.getMessage());
            } else {
                LOG.warn("lifecycle event {} not delivered: {}", event, e.getMessage());
            }
        } catch (QuantixException e) {
            LOG.warn("lifecycle event {} not delivered: {}", event, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("a VM event listener failed on {}", event, e);
        }
        return 0;
    }

    /**
     * Whether the domain carries Quantix metadata. A domain deleted right after it stopped (a force-stop, then
     * delete) is gone by the time its STOPPED event is handled: it counts if it was seen as Quantix's before.
     */
    private boolean quantix(Domain domain, String uuid) throws LibvirtException {
        try {
            if (DomainXml.parse(domain.getXMLDesc(0), PowerState.STOPPED).isEmpty()) {
                return false;
            }
        } catch (LibvirtException e) {
            if (LibvirtErrors.map(e, null).code() == ErrorCode.NOT_FOUND) {
                return managed.contains(uuid);
            }
            throw e;
        }
        managed.add(uuid);
        return true;
    }

    private static String message(DomainEvent event) {
        DomainEventDetail detail = event.getDetail();
        return "libvirt: " + event.getType().name().toLowerCase(java.util.Locale.ROOT)
                + (detail == null ? "" : " (" + ((Enum<?>) detail).name().toLowerCase(java.util.Locale.ROOT) + ")");
    }

    private void onClose(ConnectionCloseReason reason) {
        LOG.warn("the libvirt connection closed ({}): reconnecting", reason);
        schedule(FIRST_RETRY);
    }

    private void schedule(Duration delay) {
        try {
            retries.schedule(() -> retry(delay), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("not reconnecting: the backend is closed");
        }
    }

    private void retry(Duration delay) {
        try {
            reconnect.reopen().ifPresent(c -> LOG.info("reconnected to libvirt; VM events flow again"));
        } catch (LibvirtException | QuantixException e) {
            Duration next = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
            LOG.warn("reconnecting to libvirt failed, retrying in {} ms: {}", next.toMillis(), e.getMessage());
            schedule(next);
        }
    }
}
