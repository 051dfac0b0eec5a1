package io.quantix.storage.dir.internal;

import io.quantix.api.VolumeFormat;
import io.quantix.storage.qemu.FileVolumes;
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

    /** The volume a directory entry holds, if it is one (see {@link FileVolumes.FileName#parse}). */
    static Optional<VolumeFile> parse(Path file) {
        return FileVolumes.FileName.parse(file.getFileName().toString())
                .map(n -> new VolumeFile(n.name(), n.format(), file, false));
    }
}
