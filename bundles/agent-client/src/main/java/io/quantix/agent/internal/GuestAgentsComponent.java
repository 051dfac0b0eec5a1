package io.quantix.agent.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestAgents;
import io.quantix.api.spi.Backend;
import java.time.Duration;
import java.util.UUID;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The node's guest agents, reached through libvirt (see {@link LibvirtQgaTransport} for why not the socket). One
 * libvirt connection, opened at the first call so the component starts whether or not libvirtd does; libvirt's
 * connections are thread-safe, so agents of different VMs talk at once while each agent takes one call at a time.
 */
@Component(service = GuestAgents.class, configurationPid = GuestAgentsComponent.PID,
        // the VMs of the libvirt hypervisor backend: the core asks this service for theirs
        property = Backend.PROPERTY + "=libvirt")
@Designate(ocd = GuestAgentsComponent.Config.class)
public class GuestAgentsComponent implements GuestAgents {
    static final String PID = "io.quantix.agent";
    /** A reply line of qemu-guest-agent: 512 KiB file chunks and exec output fit well below it. */
    static final int MAX_LINE = 4 * 1024 * 1024;

    @ObjectClassDefinition(id = PID, name = "Quantix guest agents")
    @interface Config {
        @AttributeDefinition(description = "libvirt connection URI of the node's QEMU guests.")
        String uri() default "qemu:///system";

        @AttributeDefinition(description = "Seconds one agent command may take before the agent counts as not"
                + " answering.", min = "1", max = "600")
        int callTimeoutSeconds() default 10;
    }

    private String uri;
    private Duration timeout;
    private Connect connect;

    @Activate
    void activate(Config config) {
        activate(config.uri(), Duration.ofSeconds(config.callTimeoutSeconds()));
    }

    /** Tests call this directly, without OSGi. */
    void activate(String libvirtUri, Duration callTimeout) {
        uri = libvirtUri;
        timeout = callTimeout;
    }

    @Override
    public GuestAgent qemuAgent(String vmId) {
        try {
            UUID.fromString(vmId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw QuantixException.invalid("a VM id is a UUID");
        }
        return new QgaClient(new LibvirtQgaTransport(connection(), vmId, MAX_LINE), "VM " + vmId, timeout, MAX_LINE);
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
