/**
 * The host side of a VM's guest agent: typed calls (ping, guest facts, exec, files, filesystem freeze, password,
 * shutdown) answered by the Quantix guest agent or by QEMU's stock qemu-guest-agent in the guest. 1.1: the Quantix
 * agent ({@link io.quantix.agent.GuestAgents#agent}), streamed exec, telemetry and time sync. Every call is bounded in time and in what it
 * reads from the guest, which is untrusted; failures are {@link io.quantix.api.QuantixException}s.
 */
@Export
@Version("1.1.0")
package io.quantix.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
