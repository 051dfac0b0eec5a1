package io.quantix.core.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * What the node accepts from an API client beyond the records' own rules, decided once here for REST, gRPC and
 * the shell alike: which host files a client may name (ISO media, direct-boot kernel and initrd, a dir pool's
 * folder, key and secret files of pools) and how large an upload may be.
 *
 * <p>A host path is accepted only under one of the allowed roots once symlinks are resolved: the nearest part of
 * the path that exists is resolved with {@link Path#toRealPath}, so neither a symlink nor {@code ..} can lead out.
 */
@Component(service = EdgePolicy.class, configurationPid = EdgePolicy.PID)
@Designate(ocd = EdgePolicy.Config.class)
public class EdgePolicy {
    static final String PID = "io.quantix.edge";
    /** Used when the configuration names no folder: a comma-separated list of them. */
    static final String ROOTS_PROPERTY = "quantix.host.path.roots";

    @ObjectClassDefinition(id = PID, name = "Quantix API edge")
    @interface Config {
        @AttributeDefinition(description = "Folders under which API clients may name host files (ISO media, direct-boot"
                + " kernels, dir pool folders, keyring and secret files), comma-separated, besides the node's data"
                + " directory, which is always allowed. Empty: those of the system property " + ROOTS_PROPERTY)
        String[] allowedRoots() default {};

        @AttributeDefinition(description = "Largest streamed upload (ISO image, disk image) over any API, in bytes",
                min = "1048576")
        long maxUploadBytes() default 64 * Validation.GIB;
    }

    private final List<Path> roots;
    private final long maxUploadBytes;

    @Activate
    public EdgePolicy(Config config) {
        this(roots(config.allowedRoots()), config.maxUploadBytes());
    }

    EdgePolicy(List<Path> roots, long maxUploadBytes) {
        if (roots.isEmpty() || roots.stream().anyMatch(r -> !r.isAbsolute())) {
            throw QuantixException.invalid("the allowed host path roots must be absolute folders, at least one: " + roots);
        }
        this.roots = List.copyOf(roots);
        this.maxUploadBytes = Validation.range("upload limit (bytes)", maxUploadBytes, 1, Long.MAX_VALUE);
    }

    private static List<Path> roots(String[] configured) {
        List<String> entries = folders(Arrays.stream(configured));
        if (entries.isEmpty()) {
            entries = folders(Optional.ofNullable(System.getProperty(ROOTS_PROPERTY)).stream());
        }
        // the data directory holds the node's own pools, ISO libraries and VM files: always allowed
        return Stream.concat(Stream.of(NodeDirectories.data()), entries.stream().map(Path::of)).distinct().toList();
    }

    private static List<String> folders(Stream<String> lists) {
        return lists.flatMap(e -> Arrays.stream(e.split(","))).map(String::strip).filter(e -> !e.isEmpty()).toList();
    }

    /**
     * Checks a host path an API client chose: absolute, normalised (no {@code .} or {@code ..}) and, with every
     * symlink resolved, under an allowed root. INVALID_ARGUMENT otherwise; nothing is touched either way.
     */
    String hostPath(String what, String value) {
        Path path;
        try {
            path = Path.of(Validation.required(what, value));
        } catch (InvalidPathException e) {
            throw QuantixException.invalid(what + " " + Validation.quote(value) + " is not a path");
        }
        // ".." is refused rather than folded: /allowed/link/.. is wherever the link points, not /allowed
        if (!path.isAbsolute() || !path.equals(path.normalize()) || value.chars().anyMatch(Character::isISOControl)) {
            throw QuantixException.invalid(what + " " + Validation.quote(value)
                    + " must be an absolute, normalised path without '.' or '..'");
        }
        Optional<Path> real = real(path);
        if (real.isEmpty() || roots.stream().map(EdgePolicy::real).flatMap(Optional::stream).noneMatch(real.get()::startsWith)) {
            throw QuantixException.invalid(what + " " + Validation.quote(value)
                    + " is outside the folders API clients may name on this node: " + roots);
        }
        return value;
    }

    /** The caller's own bound, capped by the node's upload limit. */
    long uploadLimit(long callerMaxBytes) {
        Validation.range("upload limit (bytes)", callerMaxBytes, 1, Long.MAX_VALUE);
        return Math.min(callerMaxBytes, maxUploadBytes);
    }

    /**
     * Where the path really is: its nearest existing ancestor with every symlink resolved, then the rest (which
     * does not exist yet, so holds no link). Empty if that ancestor cannot be resolved (a dangling link).
     */
    private static Optional<Path> real(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(existing.toRealPath().resolve(existing.relativize(path)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
