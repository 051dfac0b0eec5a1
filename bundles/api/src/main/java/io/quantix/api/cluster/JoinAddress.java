package io.quantix.api.cluster;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a member accepts joins: a host name or IPv4 address and the join port. People type it as {@code HOST[:PORT]};
 * the console's "control plane URL" may also carry a scheme and a path ({@code https://host:9444/}), which are
 * ignored: the join port speaks its own protocol, not HTTP.
 */
public record JoinAddress(String host, int port) {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern TEXT = Pattern.compile("(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^:/]*)(?::([0-9]{1,5}))?/?");

    public JoinAddress {
        if (host == null || !HOST.matcher(host).matches()) {
            throw QuantixException.invalid("not a host name or IPv4 address: " + Validation.quote(String.valueOf(host)));
        }
        Validation.range("join port", port, 1, 65535);
    }

    /** {@code HOST[:PORT]}, the port {@link ClusterService#DEFAULT_JOIN_PORT} when it is left out; INVALID_ARGUMENT otherwise. */
    public static JoinAddress parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw QuantixException.invalid("not HOST[:PORT]: " + Validation.quote(String.valueOf(text)));
        }
        return new JoinAddress(m.group(1), m.group(2) == null ? ClusterService.DEFAULT_JOIN_PORT : Integer.parseInt(m.group(2)));
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
