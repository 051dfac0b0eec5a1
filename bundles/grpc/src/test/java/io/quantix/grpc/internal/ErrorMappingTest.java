package io.quantix.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

    @Test
    void everyCodeHasTheStatusAClientExpects() {
        Map<ErrorCode, Status.Code> expected = Map.ofEntries(
                Map.entry(ErrorCode.NOT_FOUND, Status.Code.NOT_FOUND),
                Map.entry(ErrorCode.ALREADY_EXISTS, Status.Code.ALREADY_EXISTS),
                Map.entry(ErrorCode.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT),
                Map.entry(ErrorCode.CONFLICT, Status.Code.FAILED_PRECONDITION),
                Map.entry(ErrorCode.BACKEND_UNAVAILABLE, Status.Code.UNAVAILABLE),
                Map.entry(ErrorCode.UNSUPPORTED, Status.Code.UNIMPLEMENTED),
                Map.entry(ErrorCode.INSUFFICIENT_CAPACITY, Status.Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorCode.BACKEND_ERROR, Status.Code.UNKNOWN),
                Map.entry(ErrorCode.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED),
                Map.entry(ErrorCode.LOCKED_OUT, Status.Code.RESOURCE_EXHAUSTED),
                Map.entry(ErrorCode.PERMISSION_DENIED, Status.Code.PERMISSION_DENIED),
                Map.entry(ErrorCode.INTERNAL, Status.Code.INTERNAL));
        assertEquals(ErrorCode.values().length, expected.size(), "a code without an expected status");
        expected.forEach((code, status) -> assertEquals(status, ErrorMapping.code(code), code.name()));
    }

    @Test
    void theStableCodeTravelsInTheDescriptionAndTheTrailer() {
        StatusRuntimeException e = ErrorMapping.toStatus(QuantixException.notFound("VM", "web1"), "m");
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("NOT_FOUND: VM 'web1' does not exist", e.getStatus().getDescription());
        assertEquals("NOT_FOUND", e.getTrailers().get(ErrorMapping.CODE_KEY));
    }

    @Test
    void anUnexpectedFailureIsInternalWithAReferenceAndNoDetails() {
        StatusRuntimeException e = ErrorMapping.toStatus(new IllegalStateException("secret detail at /etc/x"), "m");
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        assertEquals("INTERNAL", e.getTrailers().get(ErrorMapping.CODE_KEY));
        assertTrue(e.getStatus().getDescription().startsWith("INTERNAL: internal error (reference "));
        assertFalse(e.getStatus().getDescription().contains("secret"));
        assertEquals(null, e.getStatus().getCause(), "nothing of the failure goes to the client");
    }
}
