package io.quantix.network.ovn.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where an OVSDB server listens, in OVS's own notation: {@code unix:/path} or {@code tcp:127.0.0.1:6641}. */
record OvsdbEndpoint(String text, SocketAddress address) {
    private static final Pattern TCP = Pattern.compile("tcp:([A-Za-z0-9.-]{1,253}|\\[[0-9a-fA-F:]{2,39}]):(\\d{1,5})");

    static OvsdbEndpoint parse(String text) {
        Validation.required("OVSDB connection", text);
        if (text.startsWith("unix:")) {
            Path path = Path.of(text.substring(5));
            if (!path.isAbsolute() || text.length() - 5 > 107) {
                throw QuantixException.invalid("OVSDB connection " + Validation.quote(text)
                        + " needs an absolute socket path of at most 107 bytes");
            }
            return new OvsdbEndpoint(text, UnixDomainSocketAddress.of(path));
        }
        Matcher m = TCP.matcher(text);
        if (m.matches()) {
            int port = (int) Validation.range("OVSDB port", Integer.parseInt(m.group(2)), 1, 65535);
            String host = m.group(1).replace("[", "").replace("]", "");
            return new OvsdbEndpoint(text, InetSocketAddress.createUnresolved(host, port));
        }
        throw QuantixException.invalid("OVSDB connection " + Validation.quote(text)
                + " is invalid: use unix:/path/to/ovnnb_db.sock or tcp:HOST:PORT");
    }

    SocketChannel open() throws IOException {
        if (address instanceof InetSocketAddress inet) {
            return SocketChannel.open(new InetSocketAddress(inet.getHostString(), inet.getPort()));
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(address);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
