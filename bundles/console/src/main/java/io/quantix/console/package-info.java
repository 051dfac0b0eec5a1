/**
 * What the node's console offers other bundles to plug into: the cluster service joins through {@link
 * io.quantix.console.ClusterJoin}.
 */
@Export
@Version("1.0.0")
package io.quantix.console;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
