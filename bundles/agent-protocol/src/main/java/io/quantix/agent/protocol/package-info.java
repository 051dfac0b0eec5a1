/**
 * The framing of the Quantix guest agent protocol ({@code quantix/agent/v1/agent.proto} messages in
 * {@link io.quantix.agent.protocol.AgentFrames} frames), shared by the host's client and the guest's program.
 * Plain Java without dependencies, so the guest program can carry it without OSGi.
 */
@Export
@Version("1.0.0")
package io.quantix.agent.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
