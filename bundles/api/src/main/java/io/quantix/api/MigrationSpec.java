package io.quantix.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and how to move a VM to another node.
 *
 * @param targetUri the destination node's hypervisor URI (for libvirt, e.g. {@code qemu+tls://node2/system})
 * @param live move a running VM without stopping it; a stopped VM is always moved offline (its definition only)
 * @param migrateUri where the destination listens for the memory stream ({@code tcp://host:port}); empty lets
 *     the hypervisor choose
 * @param maxDowntimeMillis the longest pause the guest may see at switch-over; 0 keeps the hypervisor's default
 */
public record MigrationSpec(String targetUri, boolean live, Optional<String> migrateUri, long maxDowntimeMillis) {
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");
    public static final long MAX_DOWNTIME_MILLIS = 60_000;

    public MigrationSpec {
        uri("migration target URI", targetUri);
        Validation.required("migrate URI", migrateUri).ifPresent(u -> uri("migrate URI", u));
        Validation.range("maximum downtime (ms)", maxDowntimeMillis, 0, MAX_DOWNTIME_MILLIS);
    }

    public static MigrationSpec live(String targetUri) {
        return new MigrationSpec(targetUri, true, Optional.empty(), 0);
    }

    private static void uri(String what, String value) {
        Validation.required(what, value);
        if (value.length() > 1024 || value.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw QuantixException.invalid(what + " " + Validation.quote(value) + " is not a valid URI");
        }
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || !SCHEME.matcher(uri.getScheme()).matches()) {
                throw QuantixException.invalid(what + " " + Validation.quote(value) + " needs a scheme such as qemu+tcp://");
            }
        } catch (URISyntaxException e) {
            throw QuantixException.invalid(what + " " + Validation.quote(value) + " is not a valid URI: " + e.getReason());
        }
    }
}
