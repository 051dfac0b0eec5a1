package io.quantix.storage.dir.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.spi.NodeDirectories;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The validated options of a directory pool.
 *
 * @param directory absolute and normalised, so volume paths handed to the hypervisor are too
 * @param quota the most the pool may hold, in bytes, when set
 */
record DirPoolOptions(Path directory, OptionalLong quota) {
    static final String PATH = "path";
    static final String CAPACITY = "capacity";
    private static final Set<String> KNOWN = Set.of(PATH, CAPACITY);

    static DirPoolOptions of(StoragePoolSpec pool) {
        pool.options().keySet().stream().filter(k -> !KNOWN.contains(k)).sorted().findFirst().ifPresent(k -> {
            throw QuantixException.invalid("dir pool option " + Validation.quote(k) + " is unknown: use "
                    + PATH + " or " + CAPACITY);
        });
        Path directory = pool.option(PATH).map(DirPoolOptions::directory)
                .orElseGet(() -> NodeDirectories.data().resolve("pools").resolve(pool.name()));
        OptionalLong quota = pool.option(CAPACITY).map(DirPoolOptions::quota).orElse(OptionalLong.empty());
        return new DirPoolOptions(directory, quota);
    }

    private static OptionalLong quota(String value) {
        String what = "dir pool " + CAPACITY;
        return OptionalLong.of(Validation.range(what, Validation.size(what, value), 1, Long.MAX_VALUE));
    }

    private static Path directory(String value) {
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw invalidPath(value);
        }
        // Path.of already folds repeated and trailing slashes; "." and ".." are what normalize() would change
        if (!path.isAbsolute() || !path.equals(path.normalize()) || path.getNameCount() == 0) {
            throw invalidPath(value);
        }
        return path;
    }

    private static QuantixException invalidPath(String value) {
        return QuantixException.invalid("dir pool path " + Validation.quote(value)
                + " must be an absolute, normalised directory path without '.' or '..'");
    }
}
