package io.quantix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CloudInitTest {

    @Test
    void filesUpToTheLimitAreAcceptedInUtf8Bytes() {
        String atLimit = "#".repeat(CloudInit.MAX_FILE_BYTES);
        assertEquals(atLimit, new CloudInit(atLimit, "instance-id: a", Optional.empty()).userData());
        // 'é' is two bytes in UTF-8: half as many characters already reach the limit
        String tooBig = "é".repeat(CloudInit.MAX_FILE_BYTES / 2 + 1);
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> new CloudInit("#cloud-config", "instance-id: a", Optional.of(tooBig))).code());
    }

    @Test
    void missingFilesAndBinaryContentAreRefused() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> new CloudInit(null, "instance-id: a", Optional.empty())).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> new CloudInit("#cloud-config", "instance-id: a\0", Optional.empty())).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> new CloudInit("#cloud-config", "instance-id: a", null)).code());
    }
}
