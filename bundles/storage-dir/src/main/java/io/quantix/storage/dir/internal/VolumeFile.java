package io.quantix.storage.dir.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VolumeFormat;
import java.nio.file.Path;
import java.util.Optional;

/** A volume's file in a pool directory: {@code <name>.qcow2} or {@code <name>.raw}. */
record VolumeFile(String name, VolumeFormat format, Path path) {

    static VolumeFile of(Path directory, String name, VolumeFormat format) {
        return new VolumeFile(name, format, directory.resolve(name + "." + format.id()));
    }

    /**
     * The volume a directory entry holds, if it is one. Anything else (temp files, which start with a dot,
     * or files someone else put there) is not a volume: its name would fail the API's name rule.
     */
    static Optional<VolumeFile> parse(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String extension = fileName.substring(dot + 1);
        for (VolumeFormat format : VolumeFormat.values()) {
            if (format.id().equals(extension) && isVolumeName(fileName.substring(0, dot))) {
                return Optional.of(new VolumeFile(fileName.substring(0, dot), format, file));
            }
        }
        return Optional.empty();
    }

    private static boolean isVolumeName(String name) {
        try {
            Validation.name("volume", name);
            return true;
        } catch (QuantixException e) {
            return false;
        }
    }
}
