package io.quantix.agent.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestAgents;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.NodeDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's guest agents: the Quantix agent on the VM's {@code <vm-id>.agent.sock} in the libvirt backend's run
 * directory when it answers a ping, else qemu-guest-agent through libvirt (see {@link LibvirtQgaTransport} for why
 * not its socket). One
 * libvirt connection, opened at the first call so the component starts whether or not libvirtd does; libvirt's
 * connections are thread-safe, so agents of different VMs talk at once while each agent takes one call at a time.
 */
@Component(service = GuestAgents.class, configurationPid = GuestAgentsComponent.PID,
        // the VMs of the libvirt hypervisor backend: the core asks this service for theirs
        property = Backend.PROPERTY + "=libvirt")
@Designate(ocd = GuestAgentsComponent.Config.class)
public class GuestAgentsComponent implements GuestAgents {
    static final String PID = "io.quantix.agent";
    private static final Logger LOG = LoggerFactory.getLogger(GuestAgentsComponent.class);
    /** A reply line of qemu-guest-agent: 512 KiB file chunks and exec output fit well below it. */
    static final int MAX_LINE = 4 * 1024 * 1024;

    @ObjectClassDefinition(id = PID, name = "Quantix guest agents")
    @interface Config {
        @AttributeDefinition(description = "libvirt connection URI of the node's QEMU guests.")
        String uri() default "qemu:///system";

        @AttributeDefinition(description = "Seconds one agent command may take before the agent counts as not"
                + " answering.", min = "1", max = "600")
        int callTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds the Quantix agent keeps a guest's filesystems frozen at most when"
                + " no thaw comes (its own timer thaws them).", min = "1", max = "600")
        int freezeTimeoutSeconds() default 60;

        @AttributeDefinition(description = "Where the VMs' agent channel sockets are (the libvirt backend's run"
                + " directory); empty for the node's data directory's run/.")
        String agentSocketDirectory() default "";
    }

    /** How long a ping of the Quantix agent may take before the VM's qemu-guest-agent is used instead. */
    static final Duration PROBE = Duration.ofSeconds(2);
    /**
     * How long a VM whose Quantix channel is open in the guest but did not answer (a program other than the agent
     * holds it) is served by qemu-guest-agent without probing again: each probe would add {@link #PROBE} to a call.
     */
    static final Duration NO_QUANTIX_AGENT = Duration.ofSeconds(60);
    private static final Pattern CLOSED_CHANNEL =
            Pattern.compile("<target [^>]*name='org\\.quantix\\.agent\\.0'[^>]*state='disconnected'");
    /** VM id to the nanoTime until which its Quantix channel is not probed. */
    private final Map<String, Long> noQuantixAgentUntil = new ConcurrentHashMap<>();

    private String uri;
    private Duration timeout;
    private Duration freezeTimeout;
    private Path socketDir;
    private Connect connect;

    @Activate
    void activate(Config config) {
        activate(config.uri(), Duration.ofSeconds(config.callTimeoutSeconds()),
                Duration.ofSeconds(config.freezeTimeoutSeconds()), config.agentSocketDirectory().isEmpty()
                        ? NodeDirectories.data().resolve("run") : Path.of(config.agentSocketDirectory()));
    }

    /** Tests call these directly, without OSGi. */
    void activate(String libvirtUri, Duration callTimeout) {
        activate(libvirtUri, callTimeout, Duration.ofSeconds(60), NodeDirectories.data().resolve("run"));
    }

    void activate(String libvirtUri, Duration callTimeout, Duration freezeTimeout, Path agentSocketDirectory) {
        uri = libvirtUri;
        timeout = callTimeout;
        this.freezeTimeout = freezeTimeout;
        socketDir = agentSocketDirectory;
    }

    @Override
    public GuestAgent agent(String vmId) {
        checkId(vmId);
        Path socket = socketDir.resolve(vmId + ".agent.sock");
        Long until = noQuantixAgentUntil.get(vmId);
        if (Files.exists(socket) && (until == null || System.nanoTime() - until > 0) && !channelClosed(vmId)) {
            QuantixAgentClient quantix = new QuantixAgentClient(socket, "VM " + vmId, PROBE, freezeTimeout);
            try {
                quantix.ping();
                quantix.close();
                noQuantixAgentUntil.remove(vmId);
                return new QuantixAgentClient(socket, "VM " + vmId, timeout, freezeTimeout);
            } catch (QuantixException e) {
                quantix.close();
                noQuantixAgentUntil.put(vmId, System.nanoTime() + NO_QUANTIX_AGENT.toNanos());
                LOG.debug("VM {}: no Quantix agent answers ({}): using qemu-guest-agent", vmId, e.getMessage());
            }
        }
        return qemuAgent(vmId);
    }

    @Override
    public GuestAgent qemuAgent(String vmId) {
        checkId(vmId);
        return new QgaClient(new LibvirtQgaTransport(connection(), vmId, MAX_LINE), "VM " + vmId, timeout, MAX_LINE);
    }

    /**
     * Whether libvirt says no program in the guest has the Quantix port open (the channel's {@code state}, which QEMU
     * reports as the guest opens and closes it): then the agent is not running and is not probed, so a guest with
     * only qemu-guest-agent costs no probe. Unknown (no such domain here, libvirt unreachable) is not closed.
     */
    private boolean channelClosed(String vmId) {
        try {
            String xml = connection().domainLookupByUUIDString(vmId).getXMLDesc(0);
            return CLOSED_CHANNEL.matcher(xml).find();
        } catch (LibvirtException | QuantixException e) {
            return false;
        }
    }

    private static void checkId(String vmId) {
        try {
            UUID.fromString(vmId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw QuantixException.invalid("a VM id is a UUID");
        }
    }

    private synchronized Connect connection() {
        if (connect == null) {
            try {
                connect = new Connect(uri, false);
            } catch (LibvirtException e) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "libvirt at " + uri + " is not reachable: "
                        + QgaErrors.printable(String.valueOf(e.getMessage())), e);
            }
        }
        return connect;
    }

    @Deactivate
    synchronized void deactivate() {
        if (connect != null) {
            try {
                connect.close();
            } catch (LibvirtException e) {
                // closing anyway
            }
            connect = null;
        }
    }
}
