/** The node's services: the one layer that the shell, REST and gRPC adapters call. */
@Export
@Version("1.5.0")
package io.quantix.api.service;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
