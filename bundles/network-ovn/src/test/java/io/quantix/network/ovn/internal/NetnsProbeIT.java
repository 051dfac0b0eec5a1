package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The TCP probe the OVN tests prove ACLs with, in a namespace of its own (no OVN needed, root is): whatever keeps a
 * connection from being answered reads as "no answer" within the probe's own bound, and only a probe that could not
 * be made is an error.
 */
class NetnsProbeIT {

    @Test
    void aConnectionAcceptedButNeverAnsweredIsNoAnswerWithinTheProbesBound() {
        try (Netns ns = Netns.loopbackOnly()) {
            ns.serveSilently(7001);
            ns.serve(7002, "hello");
            assertEquals("hello", ns.askWithin("127.0.0.1", 7002, Duration.ofSeconds(10)),
                    "the server in the namespace answers");

            // Before the probe had its own bound, this was "BACKEND_ERROR: ip did not finish within PT10S".
            assertEquals("", ns.ask("127.0.0.1", 7001), "no answer, not an error");
        }
    }

    @Test
    void aRefusedConnectionIsNoAnswerAndABadAddressIsAnError() {
        try (Netns ns = Netns.loopbackOnly()) {
            assertEquals("", ns.ask("127.0.0.1", 7003), "nothing listens there");

            QuantixException e = assertThrows(QuantixException.class, () -> ns.ask("no-such-host.invalid", 7003));
            assertEquals(ErrorCode.BACKEND_ERROR, e.code());
            assertTrue(e.getMessage().contains("bad address"), e.getMessage());
        }
    }
}
