package io.quantix.storage.dir.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VolumeFormat;
import java.nio.file.Path;
import java.util.Optional;

/** A volume's file in a pool directory: {@code <name>.qcow2} or {@code <name>.raw}; a template's in its templates folder. */
record VolumeFile(String name, VolumeFormat format, Path path, boolean template) {

    static VolumeFile of(Path directory, String name, VolumeFormat format) {
        return new VolumeFile(name, format, directory.resolve(name + "." + format.id()), false);
    }

    VolumeFile asTemplate() {
        return new VolumeFile(name, format, path, true);
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
            if (format.id().equals(extension) && isName(fileName.substring(0, dot))) {
                return Optional.of(new VolumeFile(fileName.substring(0, dot), format, file, false));
            }
        }
        return Optional.empty();
    }

    /** A valid object name: anything else in a pool's folders (temp files start with a dot) is not Quantix's. */
    static boolean isName(String name) {
        try {
            Validation.name("volume", name);
            return true;
        } catch (QuantixException e) {
            return false;
        }
    }
}
