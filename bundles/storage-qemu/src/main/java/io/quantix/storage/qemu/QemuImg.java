package io.quantix.storage.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.VolumeFormat;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The qemu-img calls of the file-based storage backends. An image is a file path or a URL qemu-img opens itself
 * ({@code nfs://host/export/file}). The format is always passed with {@code -f}: letting qemu-img probe a raw
 * image would let a guest that wrote a qcow2 header into its disk make the host follow a backing file of the
 * guest's choosing.
 */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Copying a large image takes as long as it takes; a hung server still ends some time. */
    private static final Duration COPY_TIMEOUT = Duration.ofHours(6);

    /**
     * What qemu-img reports about an image.
     *
     * @param backing the backing file the image names, if any
     * @param dataFile the external data file a qcow2 image names, if any
     * @param snapshots its internal snapshots, oldest first
     */
    public record Info(long virtualSize, long actualSize, Optional<String> backing, Optional<String> dataFile,
            List<String> snapshots) {
    }

    private QemuImg() {
    }

    /** Thin: qemu-img preallocates nothing unless told to (and QEMU's NFS driver takes no preallocation option). */
    public static void create(String image, VolumeFormat format, long bytes) {
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", format.id(), image, Long.toString(bytes)));
    }

    /** A qcow2 image whose unwritten clusters read from {@code backing}: a copy-on-write clone. */
    public static void createOverlay(String image, String backing, VolumeFormat backingFormat) {
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F", backingFormat.id(),
                image));
    }

    /** A full, sparse copy. */
    public static void copy(String source, VolumeFormat sourceFormat, String target, VolumeFormat targetFormat) {
        check(HostCommand.execute(List.of("qemu-img", "convert", "-q", "-f", sourceFormat.id(), "-O", targetFormat.id(),
                source, target), COPY_TIMEOUT), "copy");
    }

    public static void resize(String image, VolumeFormat format, long bytes) {
        HostCommand.run(List.of("qemu-img", "resize", "-q", "-f", format.id(), image, Long.toString(bytes)));
    }

    public static void snapshot(String image, String name) {
        HostCommand.run(List.of("qemu-img", "snapshot", "-q", "-c", name, image));
    }

    public static void deleteSnapshot(String image, String name) {
        HostCommand.run(List.of("qemu-img", "snapshot", "-q", "-d", name, image));
    }

    /**
     * Checks an image someone uploaded before it becomes a volume: it must be a sound image of the format it
     * claims and name no backing or data file (QEMU would open a host file of the uploader's choosing).
     * INVALID_ARGUMENT otherwise. A raw image is any content at all.
     */
    public static Info requireSafeImage(String image, VolumeFormat format) {
        Info info;
        try {
            info = info(image, format);
        } catch (QuantixException e) {
            throw QuantixException.invalid("the image is not a valid " + format.id() + " image: " + e.getMessage());
        }
        if (info.backing().isPresent() || info.dataFile().isPresent()) {
            throw QuantixException.invalid("the image refers to another file (" + info.backing().or(info::dataFile).get()
                    + "): only self-contained images are imported");
        }
        if (format == VolumeFormat.QCOW2) {
            HostCommand.Result result = HostCommand.execute(List.of("qemu-img", "check", "-q", "-f", "qcow2", image),
                    COPY_TIMEOUT);
            if (result.exitCode() != 0) {
                throw QuantixException.invalid("the qcow2 image is damaged: " + result.firstErrorLine());
            }
        }
        return info;
    }

    /** {@code -U}: a running VM holds a write lock on its disk, and reading the header is still safe. */
    public static Info info(String image, VolumeFormat format) {
        String out = HostCommand.run(List.of("qemu-img", "info", "--output=json", "-U", "-f", format.id(), image));
        try {
            JsonNode root = JSON.readTree(out);
            List<String> snapshots = new ArrayList<>();
            root.path("snapshots").forEach(s -> snapshots.add(s.path("name").asText()));
            JsonNode dataFile = root.path("format-specific").path("data").path("data-file");
            return new Info(size(root, "virtual-size", image), size(root, "actual-size", image),
                    text(root.path("backing-filename")), text(dataFile), List.copyOf(snapshots));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "qemu-img info gave unreadable output for " + image + ": " + e.getMessage(), e);
        }
    }

    private static void check(HostCommand.Result result, String what) {
        if (result.exitCode() != 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "qemu-img " + what + " failed: " + result.firstErrorLine());
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static long size(JsonNode root, String field, String image) {
        JsonNode value = root.path(field);
        // a network image (nfs://) has no actual-size qemu-img can see: 0 rather than a failure
        if (value.isMissingNode() && field.equals("actual-size")) {
            return 0;
        }
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "qemu-img info reports no " + field + " for " + image);
        }
        return value.asLong();
    }
}
