package io.quantix.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.time.Duration;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/**
 * The guest-agent protocol through libvirt (virDomainQemuAgentCommand). On a libvirt node this is the way to
 * qemu-guest-agent: libvirtd itself holds the {@code org.qemu.guest_agent.0} socket once the guest opens the port,
 * and QEMU accepts one client only (see {@link QgaSocketTransport}). libvirt resynchronises (guest-sync) before
 * every command; the reply it returns is read with the same bounds as one from the socket.
 */
final class LibvirtQgaTransport implements QgaTransport {
    private final Connect connect;
    private final String vmId;
    private final QgaJson json;

    LibvirtQgaTransport(Connect connect, String vmId, int maxLine) {
        this.connect = connect;
        this.vmId = vmId;
        this.json = new QgaJson(maxLine);
    }

    @Override
    public ObjectNode call(String command, ObjectNode arguments, Duration timeout) {
        return json.reply(execute(command, arguments, seconds(timeout)));
    }

    /**
     * libvirt has no way to send a command without waiting for its reply (its "nowait" timeout ends the guest-sync
     * before the command, which is then never sent; measured with libvirt 9.0), so: a ping shows the agent answers,
     * then the command is sent and the missing reply (a timeout, or the agent gone as the guest powers off) is what
     * success looks like.
     */
    @Override
    public void send(String command, ObjectNode arguments, Duration timeout) {
        execute("guest-ping", null, seconds(timeout));
        try {
            execute(command, arguments, seconds(timeout));
        } catch (QuantixException e) {
            if (e.code() != ErrorCode.BACKEND_UNAVAILABLE) {
                throw e;
            }
        }
    }

    /** libvirt counts in whole seconds; never 0, which would mean "do not wait". */
    private static int seconds(Duration timeout) {
        return (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    private String execute(String command, ObjectNode arguments, int seconds) {
        Domain domain = null;
        try {
            domain = connect.domainLookupByUUIDString(vmId);
            return domain.qemuAgentCommand(json.text(command, arguments, -1), seconds, 0);
        } catch (LibvirtException e) {
            throw map(e, command);
        } finally {
            if (domain != null) {
                try {
                    domain.free();
                } catch (LibvirtException e) {
                    // the handle is gone either way
                }
            }
        }
    }

    private QuantixException map(LibvirtException e, String command) {
        Error error = e.getError();
        String message = QgaErrors.printable(error == null || error.getMessage() == null ? e.getMessage()
                : error.getMessage());
        Error.ErrorNumber number = error == null ? null : error.getCode();
        if (number == null) {
            return new QuantixException(ErrorCode.BACKEND_ERROR, "libvirt: " + message, e);
        }
        return switch (number) {
            case VIR_ERR_NO_DOMAIN -> new QuantixException(ErrorCode.NOT_FOUND, "VM '" + vmId + "' does not exist", e);
            case VIR_ERR_NO_SUPPORT -> new QuantixException(ErrorCode.UNSUPPORTED, "libvirt's driver for VM " + vmId
                    + " has no guest agent channel", e);
            case VIR_ERR_AGENT_UNRESPONSIVE, VIR_ERR_AGENT_UNSYNCED, VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_OPERATION_INVALID ->
                    new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the guest agent of VM " + vmId
                            + " did not answer " + command + ": " + message, e);
            default -> message.contains("has not been found") || message.contains("has been disabled")
                    ? new QuantixException(ErrorCode.UNSUPPORTED, "the guest agent of VM " + vmId + " does not offer "
                            + command, e)
                    : new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent of VM " + vmId + " refused "
                            + command + ": " + message, e);
        };
    }

    @Override
    public void close() {
        // the connection is the component's
    }
}
