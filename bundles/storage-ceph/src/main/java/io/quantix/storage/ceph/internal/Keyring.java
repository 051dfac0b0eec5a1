package io.quantix.storage.ceph.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a cephx key from a Ceph keyring file ({@code [client.NAME]} sections with {@code key = ...} lines, what
 * {@code ceph auth get-or-create} prints). The key is what the hypervisor needs for its libvirt secret; the
 * Ceph tools read the file themselves. Never logged, never in a message.
 */
final class Keyring {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]{8,1000}={0,2}");

    private Keyring() {
    }

    /** The key of {@code client.<user>}; INVALID_ARGUMENT if the file is missing, shared or has no such key. */
    static String key(Path keyring, String user) {
        List<String> lines;
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyring, LinkOption.NOFOLLOW_LINKS);
            if (mode.stream().anyMatch(OTHERS::contains)) {
                throw QuantixException.invalid("keyring " + keyring + " may be read by others than its owner:"
                        + " chmod 600 it");
            }
            lines = Files.readAllLines(keyring);
        } catch (NoSuchFileException e) {
            throw QuantixException.invalid("keyring " + keyring + " does not exist: write the cephx key of client."
                    + user + " there (ceph auth get-or-create client." + user + " ... > " + keyring + ")");
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot read keyring " + keyring + ": "
                    + e.getMessage(), e);
        }
        String section = "[client." + user + "]";
        boolean inSection = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                inSection = line.equals(section);
            } else if (inSection && line.startsWith("key") && line.indexOf('=') > 0
                    && line.substring(0, line.indexOf('=')).strip().equals("key")) {
                String key = line.substring(line.indexOf('=') + 1).strip();
                if (!BASE64.matcher(key).matches()) {
                    throw QuantixException.invalid("the key of client." + user + " in " + keyring + " is not a cephx key");
                }
                return key;
            }
        }
        throw QuantixException.invalid("keyring " + keyring + " has no key for " + Validation.quote("client." + user));
    }
}
