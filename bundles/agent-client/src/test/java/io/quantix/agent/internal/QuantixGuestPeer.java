package io.quantix.agent.internal;

import io.quantix.agent.protocol.AgentFrames;
import io.quantix.proto.agent.v1.AgentMessage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A test double of a hostile guest's Quantix agent: it listens where a VM's channel socket would be and speaks the
 * real wire protocol (AgentFrames frames of agent.proto messages), answering each request as its {@link Behaviour}
 * says, garbage included. Serves one connection at a time, as QEMU does.
 */
final class QuantixGuestPeer implements AutoCloseable {
    interface Behaviour {
        void answer(AgentMessage request, Out out) throws IOException;
    }

    /** What a behaviour writes: whole messages or raw bytes. */
    static final class Out {
        private final SocketChannel channel;
        volatile boolean stop;

        Out(SocketChannel channel) {
            this.channel = channel;
        }

        void raw(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        void send(AgentMessage m) throws IOException {
            raw(AgentFrames.encode(m.toByteArray()));
        }
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final Thread thread;
    private volatile Behaviour behaviour;
    private volatile Out current;

    QuantixGuestPeer(Path dir, Behaviour behaviour) throws IOException {
        this.socket = dir.resolve("peer.agent.sock");
        this.behaviour = behaviour;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "quantix-guest-peer");
        thread.setDaemon(true);
        thread.start();
    }

    Path socket() {
        return socket;
    }

    void behave(Behaviour b) {
        behaviour = b;
    }

    /** Ends what the current behaviour is writing (a flood). */
    void hush() {
        Out o = current;
        if (o != null) {
            o.stop = true;
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                Out out = new Out(c);
                current = out;
                AgentFrames frames = new AgentFrames(AgentFrames.MAX_PAYLOAD);
                ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                while (c.read(in.clear()) >= 0) {
                    in.flip();
                    byte[] payload;
                    while ((payload = frames.next(in)) != null) {
                        behaviour.answer(AgentMessage.parseFrom(payload), out);
                    }
                }
            } catch (IOException e) {
                // the client left, or the peer is closing
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        hush();
        server.close();
        thread.join(5000);
    }
}
