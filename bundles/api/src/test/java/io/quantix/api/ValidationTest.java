package io.quantix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

    private static void assertInvalid(Runnable r) {
        QuantixException e = assertThrows(QuantixException.class, r::run);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../etc", "a/b", "a b", "<vm>", "a'b", "a\"b", "a&b", "-rf", ".hidden",
        "a\nb", "ünïcode", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"})
    void rejectsNamesThatAreUnsafeAnywhere(String name) {
        assertInvalid(() -> VmSpec.builder(name).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=", "role=", "=web", "a=b=c", "role = web", "role=we b", "a,b", "role=<x>", "role=web;x", "-x=y"})
    void rejectsTagsThatAreNeitherANameNorKeyEqualsValue(String tag) {
        assertInvalid(() -> VmSpec.builder("vm").tag(tag).build());
    }

    @Test
    void acceptsPlainAndKeyValueTags() {
        assertEquals(java.util.Set.of("web", "role=web", "tier=db.prod-2"),
                VmSpec.builder("vm").tag("web").tag("role=web").tag("tier=db.prod-2").build().tags());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "web-01", "db_2.prod", "A9"})
    void acceptsPlainNames(String name) {
        assertEquals(name, VmSpec.builder(name).build().name());
    }

    @Test
    void rejectsAbsurdSizes() {
        assertInvalid(() -> VmSpec.builder("vm").vcpus(0).build());
        assertInvalid(() -> VmSpec.builder("vm").vcpus(100_000).build());
        assertInvalid(() -> VmSpec.builder("vm").memoryMiB(-1).build());
        assertInvalid(() -> DiskSpec.of("default", -5));
        assertInvalid(() -> DiskSpec.of("default", Long.MAX_VALUE));
        assertInvalid(() -> new VolumeSpec("v", 0, VolumeFormat.RAW));
    }

    @Test
    void parsesSizesPeopleType() {
        assertEquals(512 * Validation.MIB, Validation.size("memory", "512M"));
        assertEquals(20 * Validation.GIB, Validation.size("disk", "20GiB"));
        assertEquals(3 * Validation.TIB, Validation.size("disk", "3t"));
        assertEquals(4096, Validation.size("disk", "4096"));
        assertInvalid(() -> Validation.size("disk", "-1G"));
        assertInvalid(() -> Validation.size("disk", "1.5G"));
        assertInvalid(() -> Validation.size("disk", "9999999999999999999T"));
        assertInvalid(() -> Validation.size("disk", "10X"));
    }

    @Test
    void errorMessagesQuoteShortlyAndStripControlCharacters() {
        QuantixException e = assertThrows(QuantixException.class, () -> Validation.name("VM", "x\u001b[31m" + "y".repeat(500)));
        assertFalse(e.getMessage().contains("\u001b"));
        assertTrue(e.getMessage().length() < 250, e.getMessage());
        assertTrue(e.toString().startsWith("INVALID_ARGUMENT: "));
    }

    @Test
    void macAddressesAreNormalisedAndMulticastRefused() {
        assertEquals("52:54:00:ab:cd:ef", NicSpec.of("n").mac().or(() -> Optional.of(Validation.mac("52:54:00:AB:CD:EF"))).get());
        assertInvalid(() -> Validation.mac("01:00:5e:00:00:01"));
        assertInvalid(() -> Validation.mac("52:54:00:ab:cd"));
        assertInvalid(() -> Validation.mac("52:54:00:ab:cd:ef'/>"));
    }

    @Test
    void networkChecksCidrGatewayAndVlan() {
        NetworkSpec ok = new NetworkSpec("lan", "bridge", NetworkType.BRIDGE, Optional.of("10.0.0.0/24"),
                Optional.of("10.0.0.1"), true, OptionalInt.empty(), Optional.empty());
        assertEquals("lan", ok.name());
        assertInvalid(() -> new NetworkSpec("lan", "bridge", NetworkType.BRIDGE, Optional.of("10.0.0.0/24"),
                Optional.of("10.0.1.1"), true, OptionalInt.empty(), Optional.empty()));
        assertInvalid(() -> new NetworkSpec("lan", "bridge", NetworkType.BRIDGE, Optional.of("10.0.0.1/24"),
                Optional.empty(), false, OptionalInt.empty(), Optional.empty()));
        assertInvalid(() -> new NetworkSpec("lan", "bridge", NetworkType.BRIDGE, Optional.of("example.com/24"),
                Optional.empty(), false, OptionalInt.empty(), Optional.empty()));
        assertInvalid(() -> new NetworkSpec("v", "ovn", NetworkType.VLAN, Optional.empty(), Optional.empty(), false,
                OptionalInt.empty(), Optional.empty()));
        assertInvalid(() -> new NetworkSpec("v", "ovn", NetworkType.VLAN, Optional.empty(), Optional.empty(), false,
                OptionalInt.of(4095), Optional.empty()));
        assertInvalid(() -> new NetworkSpec("lan", "bridge", NetworkType.BRIDGE, Optional.empty(), Optional.empty(),
                false, OptionalInt.empty(), Optional.of("a-very-long-bridge-name")));
        assertTrue(NetworkSpec.contains("fd00::/64", "fd00::1"));
    }

    @Test
    void poolOptionsCannotShadowReservedKeys() {
        assertInvalid(() -> new StoragePoolSpec("p", "dir", Map.of("backend", "x")));
        assertInvalid(() -> new StoragePoolSpec("p", "dir", Map.of("service.pid", "x")));
        assertInvalid(() -> new StoragePoolSpec("p", "dir", Map.of("path", "/a\n/b")));
        assertEquals("/srv", new StoragePoolSpec("p", "dir", Map.of("path", "/srv")).option("path").orElseThrow());
    }

    @Test
    void diskPathsMustBeAbsoluteAndNormalised() {
        assertInvalid(() -> new DiskSource.File("relative/a.qcow2"));
        assertInvalid(() -> new DiskSource.File("/pool/../etc/shadow"));
    }

    @Test
    void eventTopicsFollowTheEventAdminConvention() {
        assertEquals("io/quantix/vm/STARTED", QuantixEvent.of(QuantixEvent.Kind.VM, "STARTED", "web", "").topic());
        assertInvalid(() -> QuantixEvent.of(QuantixEvent.Kind.VM, "started/x", "web", ""));
    }
}
