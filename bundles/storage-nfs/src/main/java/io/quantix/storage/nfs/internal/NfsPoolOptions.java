package io.quantix.storage.nfs.internal;

import io.quantix.api.DiskSource;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated options of an NFS pool: {@code server} (host name or address), {@code export} (the exported path)
 * and {@code path} (a folder inside the export, default its root). There is no port option: QEMU's NFS client
 * finds the server's ports through its rpcbind, and so does this backend.
 *
 * @param folder the pool's folder below the export's root, one name per element
 */
record NfsPoolOptions(String server, String export, List<String> folder) {
    static final String SERVER = "server";
    static final String EXPORT = "export";
    static final String PATH = "path";
    private static final Set<String> KNOWN = Set.of(SERVER, EXPORT, PATH);
    /** Safe unescaped in an nfs:// URL, a libvirt attribute and an argument vector; no "." or ".." elements. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

    static NfsPoolOptions of(StoragePoolSpec pool) {
        pool.options().keySet().stream().filter(k -> !KNOWN.contains(k)).sorted().findFirst().ifPresent(k -> {
            throw QuantixException.invalid("nfs pool option " + Validation.quote(k) + " is unknown: use " + SERVER + ", "
                    + EXPORT + " and " + PATH);
        });
        String server = pool.option(SERVER).orElseThrow(() -> QuantixException.invalid("an nfs pool needs a " + SERVER));
        new DiskSource.Host(server, 0);
        if (server.startsWith("[")) {
            throw QuantixException.invalid("nfs pool server " + Validation.quote(server) + ": IPv6 addresses are not"
                    + " supported by QEMU's NFS client; use a host name");
        }
        String export = pool.option(EXPORT).orElseThrow(() -> QuantixException.invalid("an nfs pool needs an " + EXPORT));
        List<String> exportPath = segments(EXPORT, export, false);
        List<String> folder = pool.option(PATH).map(p -> segments(PATH, p, true)).orElse(List.of());
        return new NfsPoolOptions(server, "/" + String.join("/", exportPath), folder);
    }

    private static List<String> segments(String option, String value, boolean relative) {
        String trimmed = relative && value.startsWith("/") ? value.substring(1) : value;
        if (!relative && !value.startsWith("/")) {
            throw invalid(option, value);
        }
        List<String> parts = Arrays.stream((relative ? trimmed : value.substring(1)).split("/", -1)).toList();
        if (relative && trimmed.isEmpty()) {
            return List.of();
        }
        if (parts.stream().anyMatch(s -> !SEGMENT.matcher(s).matches()) || value.length() > 512) {
            throw invalid(option, value);
        }
        return parts;
    }

    private static QuantixException invalid(String option, String value) {
        return QuantixException.invalid("nfs pool " + option + " " + Validation.quote(value) + " is invalid: use "
                + (option.equals(EXPORT) ? "an absolute path" : "a relative path") + " of letters, digits, '.', '_' and"
                + " '-' without '.' or '..' elements");
    }

    /** The absolute path of the pool's folder on the server: what NFSv3 URLs and libvirt name. */
    String folderPath() {
        return folder.isEmpty() ? export : export + "/" + String.join("/", folder);
    }
}
