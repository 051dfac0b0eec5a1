package io.quantix.network.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Runs the real {@code ip} in a network namespace of its own, so the host's links are never touched. */
class BridgeNetworkDriverTest {
    private String netns;
    private BridgeNetworkDriver driver;

    @BeforeEach
    void createNamespace() {
        netns = "qxtest-" + UUID.randomUUID().toString().substring(0, 8);
        HostCommand.run(List.of("ip", "netns", "add", netns));
        driver = new BridgeNetworkDriver(List.of("ip", "-n", netns));
    }

    @AfterEach
    void deleteNamespace() {
        HostCommand.run(List.of("ip", "netns", "del", netns));
    }

    @Test
    void ensureCreatesAnUpBridgeMarkedAsQuantixs() {
        driver.ensure(network("lan", Optional.empty()));

        String link = show("qx-lan");
        assertTrue(link.contains("\"info_kind\":\"bridge\""), link);
        assertTrue(link.contains("\"ifalias\":\"quantix:lan\""), link);
        assertTrue(link.contains("\"UP\""), link);
    }

    @Test
    void ensureIsIdempotentAndBringsItsBridgeBackUp() {
        NetworkSpec lan = network("lan", Optional.empty());
        driver.ensure(lan);
        driver.ensure(lan);
        ip("link", "set", "dev", "qx-lan", "down");

        driver.ensure(lan);

        assertTrue(show("qx-lan").contains("\"UP\""));
        assertEquals(1, ip("-j", "link", "show", "type", "bridge").split("\"ifname\"").length - 1);
    }

    @Test
    void aLinkThatIsNotABridgeIsRefusedAndLeftAlone() {
        ip("link", "add", "name", "qx-lan", "type", "veth", "peer", "name", "qx-peer");
        String before = show("qx-lan");

        QuantixException e = assertCode(ErrorCode.INVALID_ARGUMENT, () -> driver.ensure(network("lan", Optional.empty())));

        assertTrue(e.getMessage().contains("veth"), e.getMessage());
        assertEquals(before, show("qx-lan"));
        driver.remove(network("lan", Optional.empty()));
        assertTrue(exists("qx-lan"));
    }

    @Test
    void removeDeletesTheBridgeItCreatedAndIsIdempotent() {
        NetworkSpec lan = network("lan", Optional.of("br-lan"));
        driver.ensure(lan);
        assertTrue(exists("br-lan"));

        driver.remove(lan);
        driver.remove(lan);

        assertFalse(exists("br-lan"));
    }

    @Test
    void aUsersBridgeIsUsedButNeverChangedOrDeleted() {
        ip("link", "add", "name", "br-user", "type", "bridge");
        String before = show("br-user");
        NetworkSpec lan = network("lan", Optional.of("br-user"));

        driver.ensure(lan);
        assertEquals(new NicBinding.Bridge("br-user"), driver.createPort(lan, "port1", "52:54:00:00:00:01"));
        driver.remove(lan);

        assertEquals(before, show("br-user"));
    }

    @Test
    void anotherNetworksBridgeIsNeitherTakenNorDeleted() {
        driver.ensure(network("blue", Optional.of("br0")));
        NetworkSpec green = network("green", Optional.of("br0"));

        assertCode(ErrorCode.CONFLICT, () -> driver.ensure(green));
        driver.remove(green);

        assertTrue(show("br0").contains("quantix:blue"));
    }

    @Test
    void aBridgeWithPortsIsNotDeleted() {
        NetworkSpec lan = network("lan", Optional.empty());
        driver.ensure(lan);
        ip("link", "add", "name", "qx-port", "type", "veth", "peer", "name", "qx-peer");
        ip("link", "set", "dev", "qx-port", "master", "qx-lan");

        QuantixException e = assertCode(ErrorCode.CONFLICT, () -> driver.remove(lan));

        assertTrue(e.getMessage().contains("qx-port"), e.getMessage());
        assertTrue(exists("qx-lan"));
    }

    @Test
    void vlanAndOverlayNetworksAreForTheOvnDriver() {
        NetworkSpec vlan = new NetworkSpec("v10", "bridge", NetworkType.VLAN, Optional.empty(), Optional.empty(),
                false, OptionalInt.of(10), Optional.empty());
        NetworkSpec overlay = new NetworkSpec("o1", "bridge", NetworkType.OVERLAY, Optional.empty(), Optional.empty(),
                false, OptionalInt.empty(), Optional.empty());
        for (NetworkSpec network : List.of(vlan, overlay)) {
            for (Executable call : List.<Executable>of(() -> driver.ensure(network), () -> driver.remove(network),
                    () -> driver.createPort(network, "p", "52:54:00:00:00:01"))) {
                QuantixException e = assertCode(ErrorCode.UNSUPPORTED, call);
                assertTrue(e.getMessage().contains("use the ovn driver"), e.getMessage());
            }
        }
        assertEquals("", ip("-j", "link", "show", "type", "bridge").replaceAll("[\\[\\]\\s]", ""));
    }

    @Test
    void createPortNamesTheDerivedBridgeAndDeletePortHasNothingToDo() {
        NetworkSpec lan = network("lan", Optional.empty());
        assertEquals(new NicBinding.Bridge("qx-lan"), driver.createPort(lan, "port1", "52:54:00:00:00:01"));
        driver.deletePort(lan, "port1");
    }

    @Test
    void derivedNamesFitTheKernelLimitAndStayDistinct() {
        String a = BridgeNames.derive("production-frontend");
        String b = BridgeNames.derive("production-backend");
        String longest = BridgeNames.derive("n".repeat(63));

        assertEquals("qx-lan", BridgeNames.derive("lan"));
        assertEquals("qx-twelve-chars", BridgeNames.derive("twelve-chars"));
        for (String name : List.of(a, b, longest)) {
            assertTrue(name.length() <= 15 && name.startsWith("qx-"), name);
        }
        assertFalse(a.equals(b), a + " vs " + b);
        assertEquals(a, BridgeNames.derive("production-frontend"));

        driver.ensure(network("production-frontend", Optional.empty()));
        driver.ensure(network("production-backend", Optional.empty()));
        assertTrue(exists(a) && exists(b));
    }

    @Test
    void describesItself() {
        assertEquals(Set.of(Capability.BRIDGE), driver.capabilities());
        assertEquals("Linux bridge", driver.description());
    }

    private static NetworkSpec network(String name, Optional<String> bridge) {
        return new NetworkSpec(name, "bridge", NetworkType.BRIDGE, Optional.empty(), Optional.empty(), false,
                OptionalInt.empty(), bridge);
    }

    private String ip(String... args) {
        return HostCommand.run(Stream.concat(Stream.of("ip", "-n", netns), Stream.of(args)).toList());
    }

    private String show(String link) {
        return ip("-j", "-d", "link", "show", "dev", link);
    }

    private boolean exists(String link) {
        return HostCommand.execute(List.of("ip", "-n", netns, "link", "show", "dev", link), Duration.ofSeconds(10))
                .exitCode() == 0;
    }

    private static QuantixException assertCode(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e.toString());
        return e;
    }
}
