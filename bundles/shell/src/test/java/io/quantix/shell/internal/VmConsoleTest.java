package io.quantix.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VmConsoleTest {

    @Test
    void typesAreCaseInsensitiveAndAnUnknownOneIsRefused() {
        assertEquals(ConsoleType.SPICE, VmConsole.type("Spice"));
        assertEquals(ConsoleType.SERIAL, VmConsole.type("serial"));
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(QuantixException.class, () -> VmConsole.type("rdp")).code());
    }

    @Test
    void aGraphicsConsoleShowsWhereToConnectAndThePassword() {
        ConsoleEndpoint vnc = ConsoleEndpoint.graphics(ConsoleType.VNC, "127.0.0.1", 5901, "s3cretPw",
                Instant.parse("2026-01-01T10:02:00Z"));
        assertEquals("VNC console of VM web: 127.0.0.1:5901" + System.lineSeparator()
                + "One-time password: s3cretPw (valid until 2026-01-01T10:02:00Z)", VmConsole.describe("web", vnc));
    }

    @Test
    void theSerialConsoleIsItsLogFile() {
        assertEquals("Serial console log of VM web (read-only, on the node): /data/run/x.serial.log",
                VmConsole.describe("web", ConsoleEndpoint.serialLog("/data/run/x.serial.log")));
    }
}
