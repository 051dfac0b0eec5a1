/**
 * Security services of a node: the admin account, login tokens and the node's TLS material. Used by the
 * REST and gRPC adapters; implemented privately by this bundle.
 */
@Export
@Version("1.3.0")
package io.quantix.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
