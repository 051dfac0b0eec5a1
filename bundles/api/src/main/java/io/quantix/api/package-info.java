/** Quantix domain model: values exchanged by every API layer and backend, and the error model. */
@Export
@Version("4.2.0")
package io.quantix.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
