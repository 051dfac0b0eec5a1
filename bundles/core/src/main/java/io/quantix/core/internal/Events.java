package io.quantix.core.internal;

import io.quantix.api.QuantixEvent;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link QuantixEvent}s on EventAdmin. EventAdmin is optional: a node without it still works,
 * it just has no event stream.
 * <p>
 * EventAdmin keeps asynchronous events in order only per posting thread, and events come from several (the
 * core's callers, a hypervisor's event thread): all are posted from one thread, so subscribers see them in the
 * order they were published, e.g. a VM's CREATED before the STARTED its hypervisor reports.
 */
@Component(service = Events.class)
public class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile EventAdmin eventAdmin;

    private final ExecutorService poster = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "quantix-events");
        thread.setDaemon(true);
        return thread;
    });

    void publish(QuantixEvent event) {
        LOG.info("{} {}: {}", event.topic(), event.subject(), event.message());
        try {
            poster.execute(() -> {
                EventAdmin admin = eventAdmin;
                if (admin != null) {
                    admin.postEvent(new Event(event.topic(), event.properties()));
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("event {} not posted: the core is stopping", event.topic());
        }
    }

    @Deactivate
    void stop() {
        poster.shutdown();
    }

    void publish(QuantixEvent.Kind kind, String type, String subject, String message) {
        publish(QuantixEvent.of(kind, type, subject, message));
    }
}
