package io.quantix.api.spi;

import io.quantix.api.Capability;
import java.util.Set;

/** What every backend tells about itself. */
public interface Backend {

    /** The service property that names a backend, e.g. {@code quantix.backend=libvirt}. */
    String PROPERTY = "quantix.backend";

    /** What it can do beyond the basics of its kind. */
    Set<Capability> capabilities();

    /** One line for people: what it runs on. */
    String description();

    /** True when nothing real runs behind it (libvirt's test driver): the node then says so everywhere. */
    default boolean simulated() {
        return false;
    }
}
