package io.quantix.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VolumeFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmCreateTest {

    @Test
    void parsesDiskArguments() {
        DiskSpec d = VmCreate.disk("default:10G");
        assertEquals("default", d.pool());
        assertEquals(10 * Validation.GIB, d.sizeBytes());
        assertEquals(Optional.empty(), d.format(), "no format given: the pool's own, decided by the node");
        assertEquals(Optional.of(VolumeFormat.QCOW2), VmCreate.disk("fast:512M:qcow2").format());
        assertEquals(Optional.of(VolumeFormat.RAW), VmCreate.disk("fast:512M:raw").format());
    }

    @Test
    void rejectsMalformedDisks() {
        for (String bad : new String[] {"default", "default:10G:vmdk", "../x:1G", "a:b:c:d", "default:-1G"}) {
            QuantixException e = assertThrows(QuantixException.class, () -> VmCreate.disk(bad), bad);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad);
        }
    }

    @Test
    void formatsBytesForPeople() {
        assertEquals("512.0M", Format.mib(512));
        assertEquals("1.5G", Format.bytes(3 * Validation.GIB / 2));
        assertEquals("100B", Format.bytes(100));
    }
}
