package io.quantix.guestagent;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One byte stream to the host, read by one thread while others write. Neither end uses Java's channel streams:
 * those serialise a blocked read with every write.
 */
interface Link extends Closeable {
    /** Blocks for at least one byte; -1 when the host is gone for good (a socket closed). */
    int read(byte[] into) throws IOException;

    void write(byte[] bytes) throws IOException;

    /**
     * The virtio-serial port: a character device that only one process may open. Its reads return end-of-file while
     * no host is connected, which says nothing about later, so they are retried.
     */
    static Link port(Path device) throws IOException {
        RandomAccessFile file = new RandomAccessFile(device.toFile(), "rw");
        FileDescriptor fd = file.getFD();
        FileInputStream in = new FileInputStream(fd);
        FileOutputStream out = new FileOutputStream(fd);
        return new Link() {
            @Override
            public int read(byte[] into) throws IOException {
                while (true) {
                    int n = in.read(into);
                    if (n > 0) {
                        return n;
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            }

            @Override
            public void write(byte[] bytes) throws IOException {
                out.write(bytes);
            }

            @Override
            public void close() throws IOException {
                file.close();
            }
        };
    }

    /**
     * A listening Unix socket (tests): where a VM's QEMU would listen, the agent does. The socket's file appears
     * only once it accepts: bind creates the file before listen starts, so a client that saw the file could be
     * refused; the socket is bound under another name and renamed into place.
     */
    static ServerSocketChannel listen(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        Path binding = socket.resolveSibling(socket.getFileName() + ".binding");
        Files.deleteIfExists(binding);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(binding), 4);
        Files.move(binding, socket, StandardCopyOption.ATOMIC_MOVE);
        return server;
    }

    static Link accepted(SocketChannel channel) {
        return new Link() {
            @Override
            public int read(byte[] into) throws IOException {
                return channel.read(ByteBuffer.wrap(into));
            }

            @Override
            public void write(byte[] bytes) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
