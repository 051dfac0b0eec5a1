package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final String VM = """
            {"name":"web1","hypervisor":"libvirt","vcpus":2,"memoryMiB":1024,"firmware":"BIOS",
             "disks":[{"pool":"default","sizeBytes":1073741824,"format":"QCOW2","bus":"VIRTIO"}],
             "nics":[],"bootOrder":[],"tags":["web"],"ha":{"enabled":false,"restartPriority":0}%s}""";

    private static VmSpec vm(String extra) {
        return Json.read(VM.formatted(extra).getBytes(StandardCharsets.UTF_8), VmSpec.class);
    }

    private static String refused(String json, Class<?> type) {
        QuantixException e = assertThrows(QuantixException.class,
                () -> Json.read(json.getBytes(StandardCharsets.UTF_8), type));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    @Test
    void readsTheApiRecordWithAbsentOptionalsEmpty() {
        VmSpec spec = vm("");
        assertEquals("web1", spec.name());
        assertEquals(new DiskSpec("default", 1L << 30, VolumeFormat.QCOW2, DiskBus.VIRTIO), spec.disks().get(0));
        assertTrue(spec.directBoot().isEmpty());
    }

    @Test
    void roundTripsTheRecords() {
        VmSpec spec = vm("");
        assertEquals(spec, Json.read(Json.write(spec), VmSpec.class));
        NetworkSpec net = Json.read("""
                {"name":"lan","driver":"bridge","type":"VLAN","cidr":"10.0.0.0/24","dhcp":true,"vlanId":12}"""
                .getBytes(StandardCharsets.UTF_8), NetworkSpec.class);
        assertEquals(12, net.vlanId().getAsInt());
        assertEquals(net, Json.read(Json.write(net), NetworkSpec.class));
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        assertEquals("unknown field 'colour'", refused(VM.formatted(",\"colour\":\"red\""), VmSpec.class));
        assertEquals("unknown field 'disks[0].speed'",
                refused(VM.formatted("").replace("\"bus\":\"VIRTIO\"", "\"bus\":\"VIRTIO\",\"speed\":1"), VmSpec.class));
    }

    @Test
    void wrongTypesAreRefused() {
        assertTrue(refused(VM.formatted("").replace("\"vcpus\":2", "\"vcpus\":\"2\""), VmSpec.class).contains("vcpus"));
        assertTrue(refused(VM.formatted("").replace("\"vcpus\":2", "\"vcpus\":2.5"), VmSpec.class).contains("vcpus"));
        assertTrue(refused(VM.formatted("").replace("\"name\":\"web1\"", "\"name\":5"), VmSpec.class).contains("name"));
        assertTrue(refused(VM.formatted("").replace("\"BIOS\"", "\"PXE\""), VmSpec.class).contains("firmware"));
        assertTrue(refused(VM.formatted("").replace("\"BIOS\"", "0"), VmSpec.class).contains("firmware"));
    }

    @Test
    void sizesOutOfRangeAreRefused() {
        assertTrue(refused(VM.formatted("").replace("1073741824", "-1"), VmSpec.class).contains("disk size"));
        assertTrue(refused(VM.formatted("").replace("1073741824", "99999999999999999999999"), VmSpec.class)
                .contains("sizeBytes"));
        assertTrue(refused(VM.formatted("").replace("1073741824", "9223372036854775807"), VmSpec.class)
                .contains("out of range"));
    }

    @Test
    void malformedJsonAndTrailingGarbageAreRefused() {
        String truncated = refused("{\"name\":", VmSpec.class);
        assertTrue(truncated.startsWith("the request body is not valid JSON: Unexpected end-of-input"), truncated);
        assertFalse(truncated.contains("Source") || truncated.contains("io.quantix"), truncated);
        assertEquals("the request body is not the JSON object expected here", refused(VM.formatted("") + " {}", VmSpec.class));
        assertTrue(refused(VM.formatted(",\"name\":\"twice\""), VmSpec.class).startsWith("the request body is not valid JSON"));
    }

    @Test
    void apiValidationRunsOnEveryBody() {
        assertTrue(refused(VM.formatted("").replace("web1", "<vm>&amp;"), VmSpec.class).contains("VM name"));
        assertTrue(refused(VM.formatted("").replace("web1", "../etc"), VmSpec.class).contains("VM name"));
        assertEquals("field 'vcpus' is missing or has the wrong type or value", refused("{\"name\":\"web1\"}", VmSpec.class));
        assertTrue(refused(VM.formatted("").replace("\"hypervisor\":\"libvirt\",", ""), VmSpec.class)
                .startsWith("hypervisor backend name (none) is invalid"));
    }

    @Test
    void aNetworkDiskLoginIsWrittenWithoutItsSecret() {
        io.quantix.api.Volume volume = new io.quantix.api.Volume(new io.quantix.api.VolumeRef("san", "lun1"),
                io.quantix.api.VolumeFormat.RAW, 1L << 30, 1L << 30, new io.quantix.api.DiskSource.Network(
                        io.quantix.api.DiskSource.Protocol.ISCSI, "iqn.2026-11.io.quantix:t/1",
                        java.util.List.of(new io.quantix.api.DiskSource.Host("127.0.0.1", 3260)),
                        java.util.Optional.of(new io.quantix.api.DiskSource.Credentials("san", "initiator", "chap-Pa55word"))));

        String json = new String(Json.write(volume), StandardCharsets.UTF_8);

        assertTrue(json.contains("\"user\":\"initiator\""), json);
        assertFalse(json.contains("chap-Pa55word"), json);
        assertFalse(json.contains("secret"), json);
    }

    @Test
    void aBodyOfJustNullIsRefusedNotAnInternalError() {
        // found by RequestBodyFuzzTest: "null" bound to no record and the endpoint's toSpec() threw a NullPointerException
        assertEquals("the request body is not the JSON object expected here", refused("null", VmCreateRequest.class));
        assertEquals("the request body is not the JSON object expected here", refused(" null ", VmSpec.class));
    }
}
