package io.quantix.api;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A cloud-init NoCloud seed: the files a guest's cloud-init reads from a CD-ROM labelled {@code cidata}
 * on its first boot. Quantix does not interpret them; it only bounds their size, since they are written to
 * disk and travel through every API.
 *
 * @param userData the {@code user-data} file, e.g. {@code #cloud-config ...}
 * @param metaData the {@code meta-data} file, e.g. {@code instance-id: ...}
 * @param networkConfig the {@code network-config} file (network config version 1 or 2), if any
 */
public record CloudInit(String userData, String metaData, Optional<String> networkConfig) {
    /** Per file, in UTF-8 bytes: what OpenStack allows for user data, far more than a seed needs. */
    public static final int MAX_FILE_BYTES = 64 * 1024;

    public CloudInit {
        file("user-data", userData);
        file("meta-data", metaData);
        Validation.required("network-config", networkConfig).ifPresent(n -> file("network-config", n));
    }

    private static void file(String name, String content) {
        Validation.required("cloud-init " + name, content);
        Validation.range("cloud-init " + name + " size (bytes)", content.getBytes(StandardCharsets.UTF_8).length, 0,
                MAX_FILE_BYTES);
        // YAML and shell scripts are text: a NUL means binary data or a client bug, and would cut the file short.
        if (content.indexOf('\0') >= 0) {
            throw QuantixException.invalid("cloud-init " + name + " must be text: it contains a NUL character");
        }
    }
}
