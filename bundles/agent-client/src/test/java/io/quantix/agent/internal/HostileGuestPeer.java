package io.quantix.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A hostile-guest test peer: the guest end of a VM's agent channel, played on a Unix socket the test owns, as
 * QEMU's socket would be. It reads the host's requests the way qemu-guest-agent does (a 0xFF byte flushes its
 * parser, requests are JSON lines) and answers each through the test's {@link Behaviour}, which may be a correct
 * qemu-guest-agent answer or garbage, an oversized line, a flood, half a message, a wrong sync id, silence. A test
 * double only because a real guest cannot be made to misbehave on cue; it speaks the real wire protocol.
 */
final class HostileGuestPeer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the guest read it. */
    record Request(String command, JsonNode arguments, JsonNode id) {
    }

    /** How the guest answers a request; it writes on {@code out} whatever it likes. */
    @FunctionalInterface
    interface Behaviour {
        void answer(Request request, Out out) throws IOException;
    }

    /** The guest's side of the channel. */
    static final class Out {
        private final OutputStream stream;

        Out(OutputStream stream) {
            this.stream = stream;
        }

        void raw(byte[] bytes) throws IOException {
            stream.write(bytes);
            stream.flush();
        }

        void raw(String text) throws IOException {
            raw(text.getBytes(StandardCharsets.UTF_8));
        }

        /** {"return": value, "id": the request's id}, as qemu-guest-agent answers. */
        void ok(Request request, JsonNode value) throws IOException {
            ObjectNode reply = JSON.createObjectNode().set("return", value);
            if (request.id() != null) {
                reply.set("id", request.id());
            }
            raw(reply + "\n");
        }

        void error(Request request, String kind, String desc) throws IOException {
            ObjectNode reply = JSON.createObjectNode();
            reply.putObject("error").put("class", kind).put("desc", desc);
            if (request.id() != null) {
                reply.set("id", request.id());
            }
            raw(reply + "\n");
        }

        /** The correct answer to guest-sync-delimited: the sentinel, then the id echoed. */
        void synced(Request request) throws IOException {
            raw(new byte[] {(byte) 0xFF});
            raw(JSON.createObjectNode().set("return", request.arguments().get("id")) + "\n");
        }
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    private final AtomicReference<Behaviour> behaviour;
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private volatile SocketChannel client;

    HostileGuestPeer(Path dir, Behaviour initial) throws IOException {
        socket = dir.resolve("peer-" + System.nanoTime() + ".sock");
        behaviour = new AtomicReference<>(initial);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "hostile-guest-peer");
        thread.setDaemon(true);
        thread.start();
    }

    Path socket() {
        return socket;
    }

    void behave(Behaviour next) {
        behaviour.set(next);
    }

    /** Every request read so far, sync requests included. */
    List<Request> received() {
        return received;
    }

    List<String> commands() {
        return received.stream().map(Request::command).toList();
    }

    /** Drops the current connection, as a guest agent restart would; the next connection is served. */
    void hangUp() throws IOException {
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                client = c;
                InputStream in = new BufferedInputStream(Channels.newInputStream(c));
                Out out = new Out(Channels.newOutputStream(c));
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == 0xFF) {
                        line.reset();
                    } else if (b == '\n') {
                        Request request = parse(line.toByteArray());
                        line.reset();
                        if (request != null) {
                            received.add(request);
                            behaviour.get().answer(request, out);
                        }
                    } else {
                        line.write(b);
                    }
                }
            } catch (IOException e) {
                // the host hung up or the test closed the peer: wait for the next connection
            }
        }
    }

    private static Request parse(byte[] line) {
        try {
            JsonNode node = JSON.readTree(line);
            return new Request(node.path("execute").asText(), node.get("arguments"), node.get("id"));
        } catch (IOException e) {
            return null; // qemu-guest-agent answers a parse error; the tests never send one
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        hangUp();
        Files.deleteIfExists(socket);
    }
}
