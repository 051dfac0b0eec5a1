package io.quantix.agent.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON of the guest-agent protocol, read with bounds: the guest is untrusted, so nesting, strings and numbers are
 * limited below what any real answer needs, and a reply must be one JSON object.
 */
final class QgaJson {
    /** qemu-guest-agent's deepest answer (interfaces → addresses → address) is 4 levels. */
    static final int MAX_DEPTH = 16;

    private final ObjectMapper mapper;

    QgaJson(int maxLine) {
        StreamReadConstraints limits = StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                .maxDocumentLength(maxLine).maxStringLength(maxLine).maxNumberLength(40).maxNameLength(256).build();
        mapper = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(limits).build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    /**
     * {"execute": command, "arguments": arguments, "id": id} as one line (no newline inside: JSON escapes it).
     *
     * @param id what the agent echoes in its reply, or negative for none
     */
    byte[] request(String command, ObjectNode arguments, long id) {
        return (text(command, arguments, id) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    String text(String command, ObjectNode arguments, long id) {
        ObjectNode request = object().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        if (id >= 0) {
            request.put("id", id);
        }
        return request.toString();
    }

    /** A reply as text (from libvirt). */
    ObjectNode reply(String text) {
        return reply(text.getBytes(StandardCharsets.UTF_8));
    }


    /** One reply line; a reply that is not a JSON object within the bounds is malformed. */
    ObjectNode reply(byte[] line) {
        try {
            JsonNode node = mapper.readTree(line);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException | RuntimeException e) {
            // the guest's bytes are not JSON within the bounds: reported below, without echoing them
        }
        throw malformed();
    }

    static QuantixException malformed() {
        return new QuantixException(ErrorCode.BACKEND_ERROR,
                "the guest agent sent a malformed reply (not a JSON object within the protocol's limits)");
    }
}
