package io.quantix.storage.iscsi.internal;

import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated options of an iSCSI pool: {@code portal} ({@code host} or {@code host:port}, default port 3260),
 * {@code target} (its IQN) and, for CHAP, {@code chapUser} with {@code chapSecretFile}: the absolute path of a file
 * only its owner may read that holds the password. The password itself is never a pool option, so it is neither in
 * {@code etc/} nor in what the API shows of the pool.
 */
record IscsiPoolOptions(DiskSource.Host portal, String target, Optional<String> chapUser, Optional<Path> chapSecretFile) {
    static final String PORTAL = "portal";
    static final String TARGET = "target";
    static final String CHAP_USER = "chapUser";
    static final String CHAP_SECRET_FILE = "chapSecretFile";
    static final int DEFAULT_PORT = 3260;
    private static final Set<String> KNOWN = Set.of(PORTAL, TARGET, CHAP_USER, CHAP_SECRET_FILE);
    /** iqn.YYYY-MM.reversed.domain[:anything] or eui.HEX: safe in a URL, libvirt XML and an argument vector. */
    private static final Pattern IQN = Pattern.compile("(iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*(:[A-Za-z0-9.:_-]+)?|eui\\.[0-9A-Fa-f]{16})");
    private static final Pattern PORTAL_PATTERN = Pattern.compile("([^:\\[\\]]+|\\[[^\\]]+\\])(?::(\\d{1,5}))?");

    static IscsiPoolOptions of(StoragePoolSpec pool) {
        pool.options().keySet().stream().filter(k -> !KNOWN.contains(k)).sorted().findFirst().ifPresent(k -> {
            throw QuantixException.invalid("iscsi pool option " + Validation.quote(k) + " is unknown: use " + PORTAL + ", "
                    + TARGET + ", " + CHAP_USER + " and " + CHAP_SECRET_FILE);
        });
        String portal = pool.option(PORTAL).orElseThrow(() -> QuantixException.invalid("an iscsi pool needs a " + PORTAL));
        var m = PORTAL_PATTERN.matcher(portal);
        if (!m.matches()) {
            throw QuantixException.invalid("iscsi pool portal " + Validation.quote(portal) + " is invalid: use HOST or HOST:PORT");
        }
        DiskSource.Host host = new DiskSource.Host(m.group(1), m.group(2) == null ? DEFAULT_PORT : Integer.parseInt(m.group(2)));
        String target = pool.option(TARGET).orElseThrow(() -> QuantixException.invalid("an iscsi pool needs a " + TARGET));
        if (target.length() > 223 || !IQN.matcher(target).matches()) {
            throw QuantixException.invalid("iscsi pool target " + Validation.quote(target) + " is not an iSCSI name"
                    + " (iqn.YYYY-MM.domain:name)");
        }
        Optional<String> user = pool.option(CHAP_USER);
        Optional<Path> secretFile = pool.option(CHAP_SECRET_FILE).map(IscsiPoolOptions::secretFile);
        if (user.isPresent() != secretFile.isPresent()) {
            throw QuantixException.invalid("an iscsi pool with CHAP needs both " + CHAP_USER + " and " + CHAP_SECRET_FILE);
        }
        return new IscsiPoolOptions(host, target, user, secretFile);
    }

    private static Path secretFile(String value) {
        Path path = Path.of(value);
        if (!path.isAbsolute() || !path.equals(path.normalize())) {
            throw QuantixException.invalid("iscsi pool " + CHAP_SECRET_FILE + " " + Validation.quote(value)
                    + " must be an absolute, normalised path");
        }
        return path;
    }

    /** The CHAP login of the pool, its password read from the secret file now; the credentials id is the pool's name. */
    Optional<DiskSource.Credentials> credentials(String pool) {
        if (chapUser.isEmpty()) {
            return Optional.empty();
        }
        Path file = chapSecretFile.orElseThrow();
        try {
            Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
            others.retainAll(Files.getPosixFilePermissions(file));
            if (!others.isEmpty()) {
                throw QuantixException.invalid("the CHAP secret file " + file + " may be read or written by others: make it"
                        + " readable by its owner only (chmod 600)");
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            return Optional.of(new DiskSource.Credentials(pool, chapUser.get(), secret));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INVALID_ARGUMENT, "cannot read the CHAP secret file " + file + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /** The portal as libiscsi's URLs write it. */
    String portalAddress() {
        return portal.name() + ":" + portal.port();
    }
}
