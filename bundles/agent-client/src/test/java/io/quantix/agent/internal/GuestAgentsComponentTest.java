package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.GuestAgent;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The component on libvirt's test driver (in-process, no daemon): its domain has no guest agent channel. */
class GuestAgentsComponentTest {
    /** The domain libvirt's default test node defines. */
    private static final String TEST_DOMAIN = "6695eb01-f6a4-8304-79aa-97f2502e193f";

    private final GuestAgentsComponent agents = new GuestAgentsComponent();

    @BeforeEach
    void activate() {
        agents.activate("test:///default", Duration.ofSeconds(5));
    }

    @AfterEach
    void deactivate() {
        agents.deactivate();
    }

    @Test
    void aVmIdIsAUuid() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> agents.qemuAgent("web-1; rm -rf /")).code());
    }

    @Test
    void aDriverWithoutAgentsIsUnsupported() {
        try (GuestAgent agent = agents.qemuAgent(TEST_DOMAIN)) {
            QuantixException e = assertThrows(QuantixException.class, agent::ping);
            assertEquals(ErrorCode.UNSUPPORTED, e.code(), e.toString());
        }
    }

    @Test
    void anUnknownVmIsNotFound() {
        try (GuestAgent agent = agents.qemuAgent(UUID.randomUUID().toString())) {
            QuantixException e = assertThrows(QuantixException.class, agent::hostname);
            assertEquals(ErrorCode.NOT_FOUND, e.code(), e.toString());
        }
    }
}
