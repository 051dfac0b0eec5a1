package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

    @Test
    void everyCodeHasItsStatus() {
        Map<ErrorCode, Integer> expected = new EnumMap<>(Map.ofEntries(
                Map.entry(ErrorCode.NOT_FOUND, 404), Map.entry(ErrorCode.ALREADY_EXISTS, 409),
                Map.entry(ErrorCode.INVALID_ARGUMENT, 400), Map.entry(ErrorCode.BACKEND_UNAVAILABLE, 503),
                Map.entry(ErrorCode.UNSUPPORTED, 501), Map.entry(ErrorCode.CONFLICT, 409),
                Map.entry(ErrorCode.INSUFFICIENT_CAPACITY, 507), Map.entry(ErrorCode.BACKEND_ERROR, 502),
                Map.entry(ErrorCode.UNAUTHENTICATED, 401), Map.entry(ErrorCode.LOCKED_OUT, 429),
                Map.entry(ErrorCode.PERMISSION_DENIED, 403), Map.entry(ErrorCode.INTERNAL, 500)));
        assertEquals(ErrorCode.values().length, expected.size(), "a new ErrorCode needs a status in this test");
        expected.forEach((code, status) -> assertEquals(status, ErrorMapping.status(code), code.name()));
    }

    @Test
    void aQuantixErrorBecomesItsCodeAndMessage() throws Exception {
        Reply reply = Dispatcher.error(QuantixException.notFound("VM", "web1"), "GET", "/api/v1/vms/web1");
        assertEquals(404, reply.status());
        JsonNode body = Json.mapper().readTree(reply.json());
        assertEquals("NOT_FOUND", body.get("code").asText());
        assertEquals("VM 'web1' does not exist", body.get("message").asText());
        assertTrue(body.get("details").isObject());
        assertEquals(3, body.size());
    }

    @Test
    void unauthenticatedAsksForABearerToken() {
        Reply reply = Dispatcher.error(new QuantixException(ErrorCode.UNAUTHENTICATED, "no"), "GET", "/api/v1/vms");
        assertEquals(401, reply.status());
        assertEquals("Bearer", reply.headers().get("WWW-Authenticate"));
    }

    @Test
    void aDefectIsA500WithAReferenceAndNoInternals() throws Exception {
        Reply reply = Dispatcher.error(new IllegalStateException("secret internal detail"), "GET", "/api/v1/vms");
        assertEquals(500, reply.status());
        String text = new String(reply.json(), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode body = Json.mapper().readTree(text);
        assertEquals("INTERNAL", body.get("code").asText());
        assertTrue(body.get("message").asText().startsWith("internal error (reference "), text);
        assertFalse(text.contains("secret internal detail"), text);
        assertFalse(text.contains("IllegalStateException"), text);
        assertFalse(text.contains("at io.quantix"), text);
    }

    @Test
    void transportErrorsKeepTheirOwnStatus() throws Exception {
        Reply reply = Dispatcher.error(new HttpError(413, ErrorCode.INVALID_ARGUMENT, "too big"), "POST", "/api/v1/vms");
        assertEquals(413, reply.status());
        assertEquals("INVALID_ARGUMENT", Json.mapper().readTree(reply.json()).get("code").asText());
    }
}
