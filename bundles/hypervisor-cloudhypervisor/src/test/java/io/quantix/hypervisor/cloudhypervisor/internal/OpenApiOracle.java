package io.quantix.hypervisor.cloudhypervisor.internal;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Cloud Hypervisor's published OpenAPI document as a test oracle, through Atlassian's swagger-request-validator:
 * every request the backend sends and every answer the double gives must conform to it.
 */
final class OpenApiOracle {
    /**
     * CH answers any failure with 500 and a text body, but the document lists 500 for no operation; that one status
     * is taken as CH's generic error rather than a violation. Nothing else is excused.
     */
    private static final String UNDOCUMENTED_STATUS = "validation.response.status.unknown";
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForInlineApiSpecification(load())
            .build();

    private OpenApiOracle() {
    }

    /** The violations of one request; empty if it conforms. */
    static List<String> checkRequest(String method, String path, Map<String, String> headers, String body) {
        return messages(VALIDATOR.validateRequest(request(method, path, headers, body)), false);
    }

    static List<String> checkResponse(String method, String path, int status, String contentType, String body) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
        if (!body.isEmpty()) {
            response.withContentType(contentType).withBody(body);
        }
        return messages(VALIDATOR.validateResponse(path, Request.Method.valueOf(method), response.build()),
                status == 500);
    }

    private static Request request(String method, String path, Map<String, String> headers, String body) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(method, path);
        headers.forEach(request::withHeader);
        if (!body.isEmpty()) {
            request.withBody(body);
        }
        return request.build();
    }

    private static List<String> messages(ValidationReport report, boolean genericError) {
        return report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .filter(m -> !(genericError && m.getKey().equals(UNDOCUMENTED_STATUS)))
                .map(m -> m.getKey() + ": " + m.getMessage())
                .toList();
    }

    private static String load() {
        try (InputStream in = OpenApiOracle.class.getResourceAsStream("/cloud-hypervisor-openapi.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
