package io.quantix.api.spi;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the core attaches to a VM beside its disks and NICs when it defines it. A record rather than more
 * {@code define} parameters, so that adding a field changes no backend that ignores it.
 *
 * @param cloudInitSeed absolute host path of a NoCloud seed ISO (volume label {@code cidata}) the VM gets as a
 *        read-only CD-ROM; the core made it and deletes it with the VM
 */
public record DefineOptions(Optional<String> cloudInitSeed) {
    public static final DefineOptions NONE = new DefineOptions(Optional.empty());

    public DefineOptions {
        Validation.required("cloud-init seed", cloudInitSeed).ifPresent(DefineOptions::requireAbsolute);
    }

    private static void requireAbsolute(String path) {
        if (path.chars().anyMatch(Character::isISOControl) || !path.startsWith("/")
                || !Path.of(path).normalize().toString().equals(path)) {
            throw QuantixException.invalid("cloud-init seed path " + Validation.quote(path)
                    + " is invalid: use an absolute, normalised path");
        }
    }
}
