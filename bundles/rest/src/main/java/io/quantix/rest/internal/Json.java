package io.quantix.rest.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quantix.api.DiskSource;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * The API records go to and from JSON as they are (Jackson reads records through their canonical
 * constructor, so the API's own validation runs on every request body). Reading is strict: unknown fields,
 * wrong types, a string where a number belongs and trailing garbage are all INVALID_ARGUMENT.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            // a network disk's login travels to the hypervisor with its secret; an API client never sees it
            .addMixIn(DiskSource.Credentials.class, HiddenSecret.class)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // a number or boolean where a name belongs is a client bug, not something to stringify
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private Json() {
    }

    @JsonIgnoreProperties(value = "secret", allowSetters = true)
    private abstract static class HiddenSecret {
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses a request body; every failure is an INVALID_ARGUMENT that says what was wrong, never a trace. */
    static <T> T read(byte[] body, Class<T> type) {
        T value;
        try {
            value = MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw invalid(e);
        } catch (IOException e) {
            throw QuantixException.invalid("the request body cannot be read");
        }
        // a body of just "null" binds to no record at all; found by RequestBodyFuzzTest (it was a 500)
        if (value == null) {
            throw QuantixException.invalid("the request body is not the JSON object expected here");
        }
        return value;
    }

    private static QuantixException invalid(JacksonException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof QuantixException q) {
                return q;
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return QuantixException.invalid("unknown field '" + path(u) + "'");
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return QuantixException.invalid("field '" + path(m) + "' is missing or has the wrong type or value");
        }
        if (e instanceof StreamReadException) {
            // Jackson's own words on the syntax error, without its pointer into the (redacted) source
            return QuantixException.invalid("the request body is not valid JSON: "
                    + e.getOriginalMessage().replaceFirst("\\s*at \\[Source.*", "").replaceFirst("\\s*\\(start marker.*", ""));
        }
        return QuantixException.invalid("the request body is not the JSON object expected here");
    }

    /** {@code disks[0].sizeBytes}: where in the body the problem is. */
    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }
}
