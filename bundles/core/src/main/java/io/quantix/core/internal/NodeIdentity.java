package io.quantix.core.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Who this node is: {@code <config>/node.yaml}. The id is made on the first start and never changes, so that a
 * cluster, a metrics series or an audit line can name the node even after it is renamed. Keys this class does not
 * own (the setup wizard's) are kept as they are when it rewrites the file.
 */
final class NodeIdentity {
    static final String FILE = "node.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path file;
    private volatile Map<String, Object> content;

    private NodeIdentity(Path file, Map<String, Object> content) {
        this.file = file;
        this.content = content;
    }

    /** Reads the node's file, creating it (a new id, the host's name) on the first start. */
    static NodeIdentity load(Path configDir, String hostname) {
        Path file = configDir.resolve(FILE);
        try {
            Map<String, Object> content = Files.exists(file)
                    ? YAML.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() { })
                    : new LinkedHashMap<>();
            if (content == null) {
                content = new LinkedHashMap<>();
            }
            boolean changed = false;
            if (!(content.get("id") instanceof String id) || !isUuid(id)) {
                content.put("id", UUID.randomUUID().toString());
                changed = true;
            }
            if (!(content.get("name") instanceof String name) || name.isBlank()) {
                content.put("name", hostname);
                changed = true;
            }
            NodeIdentity identity = new NodeIdentity(file, content);
            if (changed) {
                Files.createDirectories(configDir);
                identity.save(content);
            }
            return identity;
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read or write the node identity " + file + ": "
                    + e.getMessage(), e);
        }
    }

    String id() {
        return (String) content.get("id");
    }

    String name() {
        return (String) content.get("name");
    }

    /** Sets the name, keeping the id and every other key; the file is replaced in one atomic write. */
    synchronized void rename(String name) {
        if (name.equals(name())) {
            return;
        }
        Map<String, Object> next = new LinkedHashMap<>(content);
        next.put("name", name);
        try {
            save(next);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write the node identity " + file + ": " + e.getMessage(), e);
        }
    }

    private void save(Map<String, Object> next) throws IOException {
        PropertiesFiles.write(file, YAML.writeValueAsBytes(next));
        content = next;
    }

    private static boolean isUuid(String s) {
        try {
            return UUID.fromString(s).toString().equalsIgnoreCase(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
