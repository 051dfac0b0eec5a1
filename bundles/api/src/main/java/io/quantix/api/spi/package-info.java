/**
 * Backend SPIs. A backend bundle registers one DS component providing one of these interfaces with the
 * service property {@value io.quantix.api.spi.Backend#PROPERTY}{@code =<name>}; the core binds it dynamically.
 */
@Export
@Version("2.3.0")
package io.quantix.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
