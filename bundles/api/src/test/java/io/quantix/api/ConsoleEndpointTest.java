package io.quantix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleEndpointTest {

    @Test
    void thePasswordNeverShowsInTheTextForm() {
        ConsoleEndpoint vnc = ConsoleEndpoint.graphics(ConsoleType.VNC, "127.0.0.1", 5900, "pw-12345", Instant.EPOCH);
        assertFalse(vnc.toString().contains("pw-12345"), vnc.toString());
        assertTrue(vnc.toString().contains("127.0.0.1:5900"), vnc.toString());
    }

    @Test
    void graphicsNeedAPortAndPasswordAndTheSerialLogAPathOnly() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ConsoleEndpoint.graphics(ConsoleType.SPICE, "127.0.0.1", 0, "pw", Instant.EPOCH)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ConsoleEndpoint.graphics(ConsoleType.SERIAL, "127.0.0.1", 5900, "pw", Instant.EPOCH)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> new ConsoleEndpoint(ConsoleType.VNC, "127.0.0.1", 5900, Optional.empty(), Optional.of(Instant.EPOCH),
                        Optional.empty())).code());
        assertEquals(Optional.of("/data/run/x.serial.log"), ConsoleEndpoint.serialLog("/data/run/x.serial.log").path());
    }
}
