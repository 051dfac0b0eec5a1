package io.quantix.api;

import java.time.Instant;
import java.util.Optional;

/**
 * Where to reach a VM's console. A graphics console (VNC, SPICE) listens on a TCP port and takes a one-time
 * password that stops working at {@code expiresAt}; asking again sets a new one. The serial console is the
 * log file the node writes the guest's first serial port to: read-only, and only on the node itself.
 *
 * @param host the address a graphics console listens on; {@code localhost} for the serial log
 * @param port the graphics console's TCP port; 0 for the serial log
 * @param password the one-time password of a graphics console; empty for the serial log
 * @param expiresAt when that password stops working; empty for the serial log
 * @param path the serial log's absolute path on the node; empty for graphics consoles
 */
public record ConsoleEndpoint(ConsoleType type, String host, int port, Optional<String> password,
        Optional<Instant> expiresAt, Optional<String> path) {

    public ConsoleEndpoint {
        Validation.required("console type", type);
        Validation.required("console host", host);
        Validation.required("console password", password);
        Validation.required("console password expiry", expiresAt);
        Validation.required("console path", path);
        boolean graphics = type != ConsoleType.SERIAL;
        if (graphics) {
            Validation.range("console port", port, 1, 65535);
        }
        if (host.isBlank() || graphics != password.isPresent() || graphics != expiresAt.isPresent()
                || graphics == path.isPresent() || (!graphics && port != 0)) {
            throw QuantixException.invalid(type + " console endpoint is inconsistent: a graphics console has a host,"
                    + " port, password and expiry; the serial console only a path");
        }
    }

    public static ConsoleEndpoint graphics(ConsoleType type, String host, int port, String password, Instant expiresAt) {
        return new ConsoleEndpoint(type, host, port, Optional.of(password), Optional.of(expiresAt), Optional.empty());
    }

    public static ConsoleEndpoint serialLog(String path) {
        return new ConsoleEndpoint(ConsoleType.SERIAL, "localhost", 0, Optional.empty(), Optional.empty(),
                Optional.of(path));
    }

    /** Never prints the password: records print every component, and endpoints end up in logs. */
    @Override
    public String toString() {
        return "ConsoleEndpoint[" + type + " " + path.orElse(host + ":" + port) + expiresAt.map(t -> ", expires " + t)
                .orElse("") + "]";
    }
}
