package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.DiskBus;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.NicSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VmCreateRequestTest {

    private static VmSpec spec(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), VmCreateRequest.class).toSpec();
    }

    private static ErrorCode refused(String json) {
        return assertThrows(QuantixException.class, () -> spec(json)).code();
    }

    @Test
    void aNameAloneTakesTheNodeDefaultsLikeTheShell() {
        assertEquals(VmSpec.builder("web").build(), spec("{\"name\":\"web\"}"));
    }

    @Test
    void devicesTakeTheirDefaultsAndKeepWhatIsGiven() {
        VmSpec spec = spec("{\"name\":\"db\",\"vcpus\":4,\"memoryMiB\":2048,\"tags\":[\"prod\"],"
                + "\"disks\":[{\"pool\":\"default\",\"sizeBytes\":1073741824},"
                + "{\"pool\":\"fast\",\"sizeBytes\":1048576,\"format\":\"RAW\",\"bus\":\"SATA\"}],"
                + "\"nics\":[{\"network\":\"lan\"}]}");

        assertEquals(VmSpec.builder("db").vcpus(4).memoryMiB(2048).tag("prod")
                .disk(DiskSpec.of("default", Validation.GIB))
                .disk(new DiskSpec("fast", Validation.MIB, VolumeFormat.RAW, DiskBus.SATA))
                .nic(NicSpec.of("lan")).build(), spec);
    }

    @Test
    void whatCannotBeDefaultedOrIsWrongIsStillRefused() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"name\":\"x\",\"disks\":[{\"pool\":\"default\"}]}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"name\":\"x\",\"colour\":\"red\"}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"name\":\"x\",\"vcpus\":\"2\"}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"name\":\"../etc\"}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"name\":\"x\",\"nics\":[{\"network\":\"lan\",\"mac\":\"01:00:5e:00:00:01\"}]}"));
    }
}
