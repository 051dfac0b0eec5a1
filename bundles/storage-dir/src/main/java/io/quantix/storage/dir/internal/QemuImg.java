package io.quantix.storage.dir.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.VolumeFormat;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The qemu-img calls this backend makes. The format is always passed with {@code -f}: letting qemu-img
 * probe a raw image would let a guest that wrote a qcow2 header into its disk make the host follow a
 * backing file of the guest's choosing.
 */
final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What qemu-img reports about an image, in bytes. */
    record Info(long virtualSize, long actualSize) {
    }

    private QemuImg() {
    }

    static void create(Path file, VolumeFormat format, long bytes) {
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", format.id(), "-o", "preallocation=off",
                file.toString(), Long.toString(bytes)));
    }

    static void resize(Path file, VolumeFormat format, long bytes) {
        HostCommand.run(List.of("qemu-img", "resize", "-q", "-f", format.id(), file.toString(), Long.toString(bytes)));
    }

    /** {@code -U}: a running VM holds a write lock on its disk, and reading the header is still safe. */
    static Info info(Path file, VolumeFormat format) {
        String out = HostCommand.run(List.of("qemu-img", "info", "--output=json", "-U", "-f", format.id(),
                file.toString()));
        try {
            JsonNode root = JSON.readTree(out);
            return new Info(size(root, "virtual-size", file), size(root, "actual-size", file));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "qemu-img info gave unreadable output for " + file + ": " + e.getMessage(), e);
        }
    }

    private static long size(JsonNode root, String field, Path file) {
        JsonNode value = root.path(field);
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "qemu-img info reports no " + field + " for " + file);
        }
        return value.asLong();
    }
}
