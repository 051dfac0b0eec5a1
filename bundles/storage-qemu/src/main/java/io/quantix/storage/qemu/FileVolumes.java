package io.quantix.storage.qemu;

import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSnapshot;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules that backends keeping each volume as one qcow2/raw image file ({@code <name>.qcow2|raw}) share, wherever
 * the file lives (a local directory, an NFS export): names, the capacity check, read-only templates and qcow2
 * internal snapshots.
 */
public final class FileVolumes {
    /** What such a backend can do with qemu-img alone. */
    public static final Set<Capability> CAPABILITIES = Set.of(Capability.QCOW2, Capability.RAW, Capability.VOLUME_RESIZE,
            Capability.THIN_PROVISIONING, Capability.VOLUME_CLONE, Capability.TEMPLATES, Capability.VOLUME_SNAPSHOT,
            Capability.IMAGE_IMPORT, Capability.ISO_LIBRARY);

    private FileVolumes() {
    }

    /** A volume's file name split into its volume name and format. */
    public record FileName(String name, VolumeFormat format) {
        public String fileName() {
            return name + "." + format.id();
        }

        /**
         * The volume a file name holds, if it is one. Anything else (temp files, which start with a dot, or files
         * someone else put there) is not a volume: its name would fail the API's name rule.
         */
        public static Optional<FileName> parse(String fileName) {
            int dot = fileName.lastIndexOf('.');
            if (dot <= 0 || !isName(fileName.substring(0, dot))) {
                return Optional.empty();
            }
            for (VolumeFormat format : VolumeFormat.values()) {
                if (format.id().equals(fileName.substring(dot + 1))) {
                    return Optional.of(new FileName(fileName.substring(0, dot), format));
                }
            }
            return Optional.empty();
        }
    }

    /** A valid object name (volume, ISO image): anything else in a pool's folders is not Quantix's. */
    public static boolean isName(String name) {
        try {
            Validation.name("file", name);
            return true;
        } catch (QuantixException e) {
            return false;
        }
    }

    public static QuantixException insufficient(String volume, long bytes, String pool, long capacity) {
        return new QuantixException(ErrorCode.INSUFFICIENT_CAPACITY, "volume " + Validation.quote(volume) + " of "
                + bytes + " bytes does not fit pool " + Validation.quote(pool) + " of " + capacity + " bytes");
    }

    /** CONFLICT for a template: clones read their unwritten clusters from it, so it never changes. */
    public static void requireWritable(String volume, boolean template) {
        if (template) {
            throw new QuantixException(ErrorCode.CONFLICT, "volume '" + volume + "' is a template, which is"
                    + " read-only: clone it instead");
        }
    }

    /** The image's internal snapshots, oldest first; UNSUPPORTED for raw, which has none. */
    public static List<VolumeSnapshot> snapshots(String image, VolumeFormat format, VolumeRef volume) {
        if (format != VolumeFormat.QCOW2) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "volume " + volume + " is raw: only qcow2 volumes keep"
                    + " snapshots");
        }
        return QemuImg.info(image, format).snapshots().stream().map(n -> new VolumeSnapshot(volume, n)).toList();
    }

    /** ALREADY_EXISTS if the image has a snapshot of that name. */
    public static VolumeSnapshot snapshot(String image, VolumeFormat format, VolumeRef volume, String snapshot) {
        Validation.name("volume snapshot", snapshot);
        if (snapshots(image, format, volume).stream().anyMatch(s -> s.name().equals(snapshot))) {
            throw QuantixException.alreadyExists("snapshot of volume " + volume, snapshot);
        }
        QemuImg.snapshot(image, snapshot);
        return new VolumeSnapshot(volume, snapshot);
    }

    /** NOT_FOUND if the image has no snapshot of that name. */
    public static void deleteSnapshot(String image, VolumeFormat format, VolumeRef volume, String snapshot) {
        Validation.name("volume snapshot", snapshot);
        if (snapshots(image, format, volume).stream().noneMatch(s -> s.name().equals(snapshot))) {
            throw QuantixException.notFound("snapshot of volume " + volume, snapshot);
        }
        QemuImg.deleteSnapshot(image, snapshot);
    }
}
