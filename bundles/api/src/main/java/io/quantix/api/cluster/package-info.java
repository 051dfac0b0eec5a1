/**
 * The cluster: membership on ZooKeeper, join tokens, and what the members report. Implemented by the
 * {@code quantix-cluster} bundle; the shell, REST, gRPC, the console and HA call {@link ClusterService}.
 */
@Export
@Version("1.3.0")
package io.quantix.api.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
