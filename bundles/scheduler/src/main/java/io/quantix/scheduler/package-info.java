/**
 * Where a VM runs: {@link io.quantix.scheduler.Scheduler} places guests on nodes (filters, then weights) and
 * {@link io.quantix.scheduler.Drs} plans live migrations that even out the nodes' load. Both are pure functions of
 * a {@link io.quantix.scheduler.ClusterState} the caller builds from the cluster's records: no I/O, no clock, no
 * services, the same answer for the same input.
 */
@Export
@Version("1.0.0")
package io.quantix.scheduler;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
