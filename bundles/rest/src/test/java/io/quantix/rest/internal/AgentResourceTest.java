package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.ExecRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bodies of /vms/{name}/agent/*: what a client sends becomes the request the guest gets, or a 400. */
class AgentResourceTest {
    private static <T> T read(String json, Class<T> type) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static ErrorCode refused(String json) {
        return assertThrows(QuantixException.class, () -> read(json, AgentResource.ExecBody.class).toRequest()).code();
    }

    @Test
    void anExecBodyBecomesTheProgramItsArgumentsEnvironmentAndInput() {
        ExecRequest r = read("""
                {"command":["sh","-c","cat"],"env":["LANG=C.UTF-8","EMPTY="],"stdin":"héllo","timeoutSeconds":5}""",
                AgentResource.ExecBody.class).toRequest();
        assertEquals("sh", r.path());
        assertEquals(List.of("-c", "cat"), r.args());
        assertEquals(List.of("LANG=C.UTF-8", "EMPTY="), r.env());
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), r.stdin());
        assertEquals(Duration.ofSeconds(5), r.timeout());
        assertEquals(Duration.ofSeconds(30), read("{\"command\":[\"true\"]}", AgentResource.ExecBody.class)
                .toRequest().timeout(), "the default timeout");
    }

    @Test
    void aBadExecBodyIsRefused() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"command\":[]}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"env\":[\"A=b\"]}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"command\":[\"ls\"],\"env\":[\"=b\"]}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"command\":[\"ls\"],\"env\":[\"NOVALUE\"]}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"command\":[\"ls\"],\"timeoutSeconds\":0}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"command\":[\"ls\"],\"timeoutSeconds\":3601}"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("{\"command\":[\"ls\"],\"shell\":true}"));
    }

    @Test
    void aPasswordBodyNeverShowsItsPassword() {
        AgentResource.PasswordBody body = read("{\"user\":\"root\",\"password\":\"Tr0ub4dor&3\"}",
                AgentResource.PasswordBody.class);
        assertEquals("Tr0ub4dor&3", body.password());
        assertFalse(body.toString().contains("Tr0ub4dor"), body.toString());
    }
}
