package io.quantix.scheduler;

import io.quantix.api.Validation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where {@link Scheduler#placeAll} put each guest.
 *
 * @param state the cluster with every guest placed
 * @param nodeByGuest each guest's node id, in the order the guests were placed
 */
public record Placements(ClusterState state, Map<String, String> nodeByGuest) {
    public Placements {
        Validation.required("state", state);
        nodeByGuest = Collections.unmodifiableMap(new LinkedHashMap<>(Validation.required("placements", nodeByGuest)));
    }
}
