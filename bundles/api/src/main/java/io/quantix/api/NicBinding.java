package io.quantix.api;

import java.util.Locale;
import java.util.regex.Pattern;

/** How a hypervisor plugs a NIC into its network, as the network driver decides. */
public sealed interface NicBinding {

    /** A tap device on a host Linux bridge. */
    record Bridge(String bridge) implements NicBinding {
        public Bridge {
            Validation.interfaceName("bridge", bridge);
        }
    }

    /**
     * A tap device on an Open vSwitch bridge ({@code br-int} for OVN), whose OVS interface carries
     * {@code external_ids:iface-id=<interfaceId>}: the name of the OVN logical port it binds to.
     *
     * @param interfaceId a UUID, as libvirt requires for {@code <virtualport type='openvswitch'>}
     */
    record OpenVSwitch(String bridge, String interfaceId) implements NicBinding {
        private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

        public OpenVSwitch {
            Validation.interfaceName("bridge", bridge);
            interfaceId = Validation.required("interface id", interfaceId).toLowerCase(Locale.ROOT);
            if (!UUID.matcher(interfaceId).matches()) {
                throw QuantixException.invalid("interface id " + Validation.quote(interfaceId) + " is not a UUID");
            }
        }
    }
}
