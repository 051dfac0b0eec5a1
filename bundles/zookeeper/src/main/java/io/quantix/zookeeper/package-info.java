/** Quantix's additions to the embedded ZooKeeper: the cluster-secret authentication scheme. */
@Export
@Version("1.0.0")
package io.quantix.zookeeper;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
