package io.quantix.api.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JoinAddressTest {
    @Test
    void hostAloneTakesTheDefaultJoinPort() {
        assertEquals(new JoinAddress("node1.lab", ClusterService.DEFAULT_JOIN_PORT), JoinAddress.parse("node1.lab"));
    }

    @Test
    void hostAndPort() {
        assertEquals(new JoinAddress("10.0.0.5", 9555), JoinAddress.parse(" 10.0.0.5:9555 "));
    }

    @Test
    void theConsolesUrlFormLosesItsSchemeAndSlash() {
        assertEquals(new JoinAddress("node1", 9444), JoinAddress.parse("https://node1:9444/"));
        assertEquals(new JoinAddress("node1", ClusterService.DEFAULT_JOIN_PORT), JoinAddress.parse("quantix://node1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":9444", "node1:", "node1:0", "node1:65536", "node1:99999", "no de", "node1;rm -rf /",
        "-node", "node1:9444/path", "user@node1", "[::1]:9444", "node1:9444:1"})
    void anythingElseIsInvalid(String text) {
        QuantixException e = assertThrows(QuantixException.class, () -> JoinAddress.parse(text));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void nullIsInvalid() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> JoinAddress.parse(null)).code());
    }
}
