package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The ovn driver on a real OVN: what it writes to NB, and real packets between namespaces plugged into br-int. */
@ExtendWith(OvnEnv.Resolver.class)
class OvnNetworkDriverIT {
    private static OvnEnv ovn;
    private static OvnNetworkDriver driver;

    @TempDir
    Path work;

    @BeforeAll
    static void up(OvnEnv env) {
        ovn = env;
        driver = env.driver();
    }

    @AfterAll
    static void down() {
        driver.close();
    }

    static NetworkSpec overlay(String name, String cidr, String gateway) {
        return new NetworkSpec(name, "ovn", NetworkType.OVERLAY, Optional.of(cidr), Optional.of(gateway), true,
                OptionalInt.empty(), Optional.empty());
    }

    static PortSpec port(String vm, String mac, String... tags) {
        return new PortSpec(UUID.randomUUID().toString(), mac, vm, Set.of(tags));
    }

    @Test
    void twoNamespacesGetTheirAddressesByDhcpAndPingEachOther() {
        NetworkSpec net = overlay("tenant-a", "10.77.0.0/24", "10.77.0.1");
        driver.ensure(net);
        PortSpec a = port("vm-a", "0a:77:00:00:00:0a");
        PortSpec b = port("vm-b", "0a:77:00:00:00:0b");
        NicBinding binding = driver.createPort(net, a);
        driver.createPort(net, b);
        assertEquals(new NicBinding.OpenVSwitch("br-int", a.id()), binding);
        try (Netns nsA = Netns.plug(ovn, a.id(), a.mac()); Netns nsB = Netns.plug(ovn, b.id(), b.mac())) {
            String ipA = nsA.dhcp(work);
            String ipB = nsB.dhcp(work);
            assertEquals(driver.northbound().port(a.id()).orElseThrow().ip().orElseThrow(), ipA, "the lease is the port's address");
            assertEquals(driver.northbound().port(b.id()).orElseThrow().ip().orElseThrow(), ipB);
            assertNotEquals(ipA, ipB);
            assertFalse(Set.of("10.77.0.0", "10.77.0.1", "10.77.0.255").contains(ipA), "gateway and network addresses are reserved");
            assertTrue(nsA.ping(ipB, Duration.ofSeconds(30)), "A pings B over OVN");
            assertTrue(driver.northbound().port(a.id()).orElseThrow().up(), "ovn-controller bound the port");
            assertTrue(ovn.sbctl("--bare", "--columns=logical_port", "list", "Port_Binding").contains(a.id()));
        } finally {
            driver.deletePort(net, a.id());
            driver.deletePort(net, b.id());
            driver.remove(net);
        }
        assertFalse(ovn.nbctl("show").contains("qx-tenant-a"), "no switch left");
        assertFalse(ovn.nbctl("--bare", "--columns=external_ids", "list", "DHCP_Options").contains("tenant-a"), "no DHCP options left");
    }

    @Test
    void ensureIsIdempotentAndPortsAreDeletedWithoutLeftovers() {
        NetworkSpec net = overlay("tenant-b", "10.78.0.0/24", "10.78.0.1");
        driver.ensure(net);
        driver.ensure(net);
        PortSpec a = port("vm-c", "0a:78:00:00:00:0c");
        driver.createPort(net, a);
        driver.createPort(net, a);
        try {
            assertEquals(1, count(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch"), "qx-tenant-b"));
            assertEquals(1, count(ovn.nbctl("--bare", "--columns=external_ids", "list", "DHCP_Options"), "tenant-b"));
            assertEquals(1, count(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch_Port"), a.id()));
            assertEquals("0a:78:00:00:00:0c 10.78.0.2", ovn.nbctl("lsp-get-addresses", a.id()).strip());
            driver.deletePort(net, a.id());
            driver.deletePort(net, a.id());
            assertEquals(0, count(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch_Port"), a.id()));
        } finally {
            driver.remove(net);
        }
    }

    @Test
    void aVlanNetworkHasALocalnetPortWithItsTag() {
        NetworkSpec net = new NetworkSpec("vlan-100", "ovn", NetworkType.VLAN, Optional.of("10.79.0.0/24"),
                Optional.of("10.79.0.1"), true, OptionalInt.of(100), Optional.empty());
        driver.ensure(net);
        try {
            String ln = OvnNorthbound.localnetName("vlan-100");
            assertEquals("localnet", ovn.nbctl("lsp-get-type", ln).strip());
            assertEquals("100", ovn.nbctl("--bare", "--columns=tag", "list", "Logical_Switch_Port", ln).strip());
            assertTrue(ovn.nbctl("--bare", "--columns=options", "list", "Logical_Switch_Port", ln).contains("network_name=physnet"));
        } finally {
            driver.remove(net);
        }
        assertFalse(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch_Port").contains("vlan-100"));
    }

    @Test
    void badInputIsRefusedAndLeavesNbUntouched() {
        NetworkSpec net = overlay("tenant-c", "10.80.0.0/16", "10.80.0.1");
        driver.ensure(net);
        try {
            String before = nbState();
            QuantixException overlap = assertThrows(QuantixException.class,
                    () -> driver.ensure(overlay("tenant-d", "10.80.5.0/24", "10.80.5.1")));
            assertEquals(ErrorCode.INVALID_ARGUMENT, overlap.code());
            assertTrue(overlap.getMessage().contains("overlaps 10.80.0.0/16 of network 'tenant-c'"), overlap.getMessage());
            QuantixException bridge = assertThrows(QuantixException.class, () -> driver.ensure(new NetworkSpec("br", "ovn",
                    NetworkType.BRIDGE, Optional.empty(), Optional.empty(), false, OptionalInt.empty(), Optional.empty())));
            assertEquals(ErrorCode.UNSUPPORTED, bridge.code());
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> new NetworkSpec("v", "ovn",
                    NetworkType.VLAN, Optional.empty(), Optional.empty(), false, OptionalInt.of(4095), Optional.empty())).code());
            assertEquals(before, nbState(), "nothing was written");
        } finally {
            driver.remove(net);
        }
    }

    @Test
    void aFullSubnetSaysSoAndCreatesNoPort() {
        NetworkSpec net = overlay("tiny", "10.81.0.0/29", "10.81.0.1");
        driver.ensure(net);
        try {
            for (int i = 0; i < 5; i++) {
                driver.createPort(net, port("vm" + i, String.format("0a:81:00:00:00:%02x", i + 2)));
            }
            String before = nbState();
            QuantixException full = assertThrows(QuantixException.class, () -> driver.createPort(net, port("vm9", "0a:81:00:00:00:20")));
            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, full.code());
            assertEquals(before, nbState());
        } finally {
            driver.remove(net);
        }
    }

    private static String nbState() {
        return ovn.nbctl("show") + ovn.nbctl("list", "DHCP_Options");
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.strip().equals(needle) || l.contains(needle)).count();
    }
}
