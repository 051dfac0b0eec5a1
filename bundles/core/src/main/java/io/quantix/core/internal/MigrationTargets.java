package io.quantix.core.internal;

import io.quantix.api.MigrationSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The migration URIs an API client may give: only the transports nodes use to reach each other's hypervisor,
 * without any query. libvirt URIs take parameters that run or read something on this node ({@code ext} and
 * {@code command=} run a program, {@code socket=}, {@code keyfile=}, {@code pkipath=} read a file of the client's
 * choice, {@code no_verify=} drops TLS checks): none of them is needed between nodes, so none is accepted.
 */
final class MigrationTargets {
    private static final Set<String> TRANSPORTS = Set.of("qemu+tls", "qemu+tcp", "qemu+ssh", "qemu+unix");
    private static final Set<String> PATHS = Set.of("/system", "/session");
    /** A host name or IPv4 address; an IPv6 literal in brackets. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}]");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");

    private MigrationTargets() {
    }

    static void check(MigrationSpec spec) {
        target(spec.targetUri());
        spec.migrateUri().ifPresent(MigrationTargets::memoryStream);
    }

    /** qemu+tls://host/system and the like; qemu+unix:///system (the local daemon's own socket) has no host. */
    private static void target(String value) {
        URI uri = parse("migration target URI", value);
        String scheme = uri.getScheme();
        if (scheme == null || !TRANSPORTS.contains(scheme)) {
            throw refused("migration target URI", value, "use qemu+tls, qemu+tcp, qemu+ssh or qemu+unix");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || !PATHS.contains(uri.getRawPath())) {
            throw refused("migration target URI", value, "use scheme://host/system with no parameters");
        }
        boolean unix = scheme.equals("qemu+unix");
        if (unix ? uri.getRawAuthority() != null : !validHost(uri)) {
            throw refused("migration target URI", value, unix ? "qemu+unix names no host: qemu+unix:///system"
                    : "name the destination node's host, e.g. qemu+tls://node2/system");
        }
        String user = uri.getRawUserInfo();
        if (user != null && !(scheme.equals("qemu+ssh") && USER.matcher(user).matches())) {
            throw refused("migration target URI", value, "only qemu+ssh takes a user name");
        }
    }

    /** tcp://host:port, where the destination listens for the guest's memory. */
    private static void memoryStream(String value) {
        URI uri = parse("migrate URI", value);
        if (!"tcp".equals(uri.getScheme()) || !validHost(uri) || uri.getPort() < 1 || uri.getRawUserInfo() != null
                || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw refused("migrate URI", value, "use tcp://host:port");
        }
    }

    private static boolean validHost(URI uri) {
        return uri.getHost() != null && HOST.matcher(uri.getHost()).matches() && uri.getPort() <= 65535;
    }

    private static URI parse(String what, String value) {
        Validation.required(what, value);
        // no whitespace or control character anywhere: a newline or space could start another argument or line
        if (value.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw refused(what, value, "it holds spaces or control characters");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw refused(what, value, e.getReason());
        }
        if (uri.isOpaque() || uri.getScheme() == null) {
            throw refused(what, value, "it needs the form scheme://host/...");
        }
        return uri;
    }

    private static QuantixException refused(String what, String value, String why) {
        return QuantixException.invalid(what + " " + Validation.quote(value) + " is not accepted: " + why);
    }
}
