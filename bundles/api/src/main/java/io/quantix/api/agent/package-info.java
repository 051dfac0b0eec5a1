/**
 * A VM's guest agent: the values its calls exchange (exec, files, filesystem freeze, guest facts), the
 * {@link io.quantix.api.agent.GuestAgents} a guest-agent client registers for a hypervisor backend's VMs, and the
 * checks on what goes into a guest ({@link io.quantix.api.agent.GuestInput}).
 *
 * <p>Here rather than in the agent client's bundle so that the core, which serves these calls by VM name
 * ({@link io.quantix.api.service.GuestAgentService}), and the shell, REST and gRPC resolve without it: the client
 * ships with the libvirt backend and may be absent, while an optional package import would leave them unwired
 * until a refresh when it arrives.
 */
@Export
@Version("1.0.0")
package io.quantix.api.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
