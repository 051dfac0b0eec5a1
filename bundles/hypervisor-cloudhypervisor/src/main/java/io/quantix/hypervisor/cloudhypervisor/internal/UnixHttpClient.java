package io.quantix.hypervisor.cloudhypervisor.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The smallest correct HTTP/1.1 client for Cloud Hypervisor's API socket: one request per connection
 * ({@code Connection: close}), a body read by {@code Content-Length} (or to end of stream), and one deadline for
 * the whole exchange.
 *
 * <p>Why not a library: Jetty 12's HttpClient can reach a Unix socket ({@code ClientConnector.forUnixDomain}) but
 * brings five bundles importing SLF4J 2 into a Karaf 4.4 runtime; Apache HttpClient 5.6 has a Unix-domain socket
 * factory but ships no OSGi headers, so three jars (~1.5 MB) would be embedded. All this backend needs is a dozen
 * short JSON requests to a local VMM that answers with {@code Content-Length}, which the JDK's Unix-domain
 * {@link SocketChannel} (Java 16+) serves in one small class.
 */
final class UnixHttpClient {
    /** A complete answer; {@code body} is empty when there was none. */
    record Response(int status, String body) {
        boolean success() {
            return status / 100 == 2;
        }
    }

    private static final int MAX_RESPONSE = 16 * 1024 * 1024;
    /** CH's headers are a few lines; the bound also keeps the search for their end from copying 16 MiB per read. */
    static final int MAX_HEAD = 64 * 1024;

    private final Path socket;
    private final Duration timeout;

    UnixHttpClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** @param body JSON, or null for a request without a body */
    Response send(String method, String path, String body) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n")
                .append("Accept: application/json\r\n")
                .append("Connection: close\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            write(channel, selector, ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII)), deadline);
            write(channel, selector, ByteBuffer.wrap(content), deadline);
            return read(channel, selector, deadline);
        }
    }

    private static void write(SocketChannel channel, Selector selector, ByteBuffer buf, long deadline)
            throws IOException {
        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
        while (buf.hasRemaining()) {
            await(selector, deadline);
            channel.write(buf);
        }
        key.cancel();
        selector.selectNow();
    }

    private static Response read(SocketChannel channel, Selector selector, long deadline) throws IOException {
        channel.register(selector, SelectionKey.OP_READ);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        int headEnd = -1;
        long contentLength = -1;
        int status = 0;
        while (true) {
            if (headEnd >= 0 && contentLength >= 0 && received.size() - headEnd >= contentLength) {
                break;
            }
            await(selector, deadline);
            int n = channel.read(buf);
            if (n < 0) {
                if (headEnd < 0 || contentLength >= 0) {
                    throw new IOException("the VMM closed the connection before its answer was complete");
                }
                break;
            }
            received.write(buf.array(), 0, n);
            buf.clear();
            if (received.size() > MAX_RESPONSE) {
                throw new IOException("the VMM's answer is larger than " + MAX_RESPONSE + " bytes");
            }
            if (headEnd < 0) {
                byte[] sofar = received.toByteArray();
                int end = indexOf(sofar, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (end < 0 && sofar.length > MAX_HEAD) {
                    throw new IOException("the VMM's answer has no end of its header in its first " + MAX_HEAD + " bytes");
                }
                if (end >= 0) {
                    headEnd = end + 4;
                    String[] lines = new String(sofar, 0, end, StandardCharsets.US_ASCII).split("\r\n");
                    status = statusOf(lines[0]);
                    contentLength = contentLength(lines, status);
                }
            }
        }
        byte[] all = received.toByteArray();
        int length = contentLength >= 0 ? (int) contentLength : all.length - headEnd;
        return new Response(status, new String(all, headEnd, length, StandardCharsets.UTF_8));
    }

    private static void await(Selector selector, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadline) {
            throw new IOException("the VMM did not answer in time");
        }
        selector.selectedKeys().clear();
    }

    private static int statusOf(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x answer: " + statusLine);
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + statusLine, e);
        }
    }

    /** -1 when the body runs to the end of the stream. */
    private static long contentLength(String[] headers, int status) throws IOException {
        if (status / 100 == 1 || status == 204 || status == 304) {
            return 0;
        }
        for (int i = 1; i < headers.length; i++) {
            int colon = headers[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = headers[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = headers[i].substring(colon + 1).strip();
            if (name.equals("transfer-encoding") && !value.equalsIgnoreCase("identity")) {
                // Cloud Hypervisor's server never chunks; refusing is safer than misreading.
                throw new IOException("unsupported transfer encoding: " + value);
            }
            if (name.equals("content-length")) {
                try {
                    long length = Long.parseLong(value);
                    if (length < 0 || length > MAX_RESPONSE) {
                        throw new IOException("bad Content-Length: " + value);
                    }
                    return length;
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + value, e);
                }
            }
        }
        return -1;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
