package io.quantix.security.internal;

import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Files holding secrets: written with mode 0600 from their first byte, read only if nobody else can read them. */
final class SecureFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SecureFiles.class);
    static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR = PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecureFiles() {
    }

    /**
     * Replaces {@code target} with {@code content} in one step: a temporary file created 0600 in the same directory,
     * then an atomic rename, so readers never see a half-written or briefly world-readable file.
     */
    static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        createPrivateDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", OWNER_ONLY_FILE);
        try {
            Files.write(temp, content);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Creates missing directories 0700; existing ones keep their mode (the user may have chosen it). */
    static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, OWNER_ONLY_DIR);
        }
    }

    /**
     * Reads a secret file, refusing a symbolic link, a non-regular file or one its group or others may access.
     * The error names the file, never its content.
     */
    static byte[] read(Path file) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            LOG.error("Refusing to read {}: not a regular file", file);
            throw QuantixException.invalid("secret file " + file + " is not a regular file");
        }
        if (attributes.permissions().stream().anyMatch(OTHERS::contains)) {
            LOG.error("Refusing to read {}: its mode {} lets other users access it; run chmod 600 on it",
                    file, PosixFilePermissions.toString(attributes.permissions()));
            throw QuantixException.invalid("secret file " + file + " is accessible to other users: make it mode 0600");
        }
        return Files.readAllBytes(file);
    }
}
