package io.quantix.api.spi;

import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NicBinding;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.SecurityGroup;
import java.util.List;

/**
 * Serves networks of one kind. Network definitions are kept by the core and passed in on every call.
 */
public interface NetworkDriver extends Backend {

    /** Makes the network exist on this node (idempotent); UNSUPPORTED if this driver cannot serve its type. */
    void ensure(NetworkSpec network);

    /** Removes what {@link #ensure} created on this node (idempotent). */
    void remove(NetworkSpec network);

    /** Creates a port for a NIC and tells the hypervisor how to plug into it. */
    NicBinding createPort(NetworkSpec network, String portId, String mac);

    /**
     * Creates a port for a VM's NIC, knowing the VM's name and tags (for DNS names and security groups);
     * drivers that need neither keep this default.
     */
    default NicBinding createPort(NetworkSpec network, PortSpec port) {
        return createPort(network, port.id(), port.mac());
    }

    /** Deletes a port (idempotent). */
    void deletePort(NetworkSpec network, String portId);

    /** The VM's tags (or name) changed: the port follows, e.g. into other security groups. Nothing to do by default. */
    default void updatePort(NetworkSpec network, PortSpec port) {
    }

    /**
     * Enforces the group on every port of this driver, replacing its earlier rules (idempotent).
     * Only drivers with {@link io.quantix.api.Capability#SECURITY_GROUPS} implement it.
     */
    default void ensureSecurityGroup(SecurityGroup group) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, description() + " has no security groups");
    }

    /** Stops enforcing the group (idempotent). */
    default void removeSecurityGroup(String name) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, description() + " has no security groups");
    }

    /**
     * Called when the driver (re)appears: makes its state match Quantix's definitions, the networks it serves
     * and every security group, and removes exactly what {@code state} names as deleted, so that nothing is
     * duplicated or left over. It never removes an object of Quantix's only because it is not defined: the
     * definitions may not have been loaded yet. Nothing to do by default: a driver whose objects live on only
     * while in use (host bridges made on the next {@link #ensure}) has nothing to reconcile.
     */
    default void reconcile(Reconciliation state) {
    }

    /**
     * Makes the router exist as defined, replacing what it was (idempotent). {@code networks} are the specs of
     * the networks it names, uplink included. Only drivers with {@link io.quantix.api.Capability#ROUTING}.
     */
    default void ensureRouter(Router router, List<NetworkSpec> networks) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, description() + " has no routers");
    }

    /** Removes the router with its NAT and load balancers (idempotent). */
    default void removeRouter(String name) {
        throw new QuantixException(ErrorCode.UNSUPPORTED, description() + " has no routers");
    }

    /** The address the driver gave the port, if it manages addresses. */
    default java.util.Optional<String> portAddress(NetworkSpec network, String portId) {
        return java.util.Optional.empty();
    }
}
