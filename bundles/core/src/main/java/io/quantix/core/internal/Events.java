package io.quantix.core.internal;

import io.quantix.api.QuantixEvent;
import org.osgi.service.component.annotations.Component;
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
 */
@Component(service = Events.class)
public class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin eventAdmin;

    void publish(QuantixEvent event) {
        LOG.info("{} {}: {}", event.topic(), event.subject(), event.message());
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(event.topic(), event.properties()));
        }
    }

    void publish(QuantixEvent.Kind kind, String type, String subject, String message) {
        publish(QuantixEvent.of(kind, type, subject, message));
    }
}
