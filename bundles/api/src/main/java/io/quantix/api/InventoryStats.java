package io.quantix.api;

import java.time.Instant;
import java.util.Optional;

/**
 * How the node's in-memory VM inventory is doing. It is fed by the hypervisors' events and the core's own changes;
 * a periodic resync lists every hypervisor and repairs what the events missed.
 *
 * @param vms VMs in the inventory, UNAVAILABLE ones included
 * @param revision the highest VM version handed out so far
 * @param resyncs resyncs done since the node started (the full list when a hypervisor binds not counted)
 * @param repairs VMs a resync found added, changed or gone without the inventory having heard of it
 * @param lastResync when the last resync ended
 */
public record InventoryStats(long vms, long revision, long resyncs, long repairs, Optional<Instant> lastResync) {
    public InventoryStats {
        Validation.required("last resync", lastResync);
    }
}
