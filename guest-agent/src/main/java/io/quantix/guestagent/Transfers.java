package io.quantix.guestagent;

import com.google.protobuf.ByteString;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.FileChunk;
import io.quantix.proto.agent.v1.FileDone;
import io.quantix.proto.agent.v1.FileOpen;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * File pushes and pulls. A push writes a hidden file beside the target and renames it over the target only once the
 * last chunk is in, so a refused or abandoned push leaves the guest's file as it was. Chunks of a push arrive in
 * order on the connection's reader thread, which writes them; a pull runs on a worker and streams its chunks.
 */
final class Transfers {
    static final int CHUNK = 256 * 1024;

    private final long maxFile;
    /** pushes in progress, by request id: only the reader thread touches it */
    private final Map<Long, Push> pushes = new HashMap<>();

    private static final class Push {
        final Path target;
        final Path temp;
        final FileChannel out;
        final long limit;
        final MessageDigest sha = sha256();
        long size;

        Push(Path target, Path temp, FileChannel out, long limit) {
            this.target = target;
            this.temp = temp;
            this.out = out;
            this.limit = limit;
        }

        void abandon() {
            try {
                out.close();
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                Log.info("could not remove " + temp + ": " + e.getMessage());
            }
        }
    }

    Transfers(long maxFile) {
        this.maxFile = maxFile;
    }

    private long limit(FileOpen open) {
        return open.getSizeLimit() == 0 ? maxFile : Math.min(open.getSizeLimit(), maxFile);
    }

    private static Path path(String p) {
        if (p.isEmpty() || p.charAt(0) != '/' || p.indexOf('\0') >= 0 || p.length() > 4096) {
            throw new AgentError(AgentError.INVALID, "a file path is absolute, at most 4096 characters, without NUL");
        }
        return Path.of(p).normalize();
    }

    /** Opens a push; its chunks follow. Reader thread. */
    void openPush(long id, FileOpen open) {
        Path target = path(open.getPath());
        if (pushes.containsKey(id)) {
            throw new AgentError(AgentError.CONFLICT, "request " + id + " already pushes a file");
        }
        if (Files.isDirectory(target)) {
            throw new AgentError(AgentError.INVALID, target + " is a directory");
        }
        Path dir = target.getParent();
        int mode = open.getFileMode() == 0 ? 0644 : open.getFileMode() & 07777;
        try {
            Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".qxa-part",
                    PosixFilePermissions.asFileAttribute(permissions(mode)));
            pushes.put(id, new Push(target, temp, FileChannel.open(temp, StandardOpenOption.WRITE), limit(open)));
        } catch (IOException e) {
            throw new AgentError(AgentError.BACKEND, "cannot write in " + dir + ": " + e.getMessage());
        }
    }

    /**
     * A chunk of a push; the last one puts the file in place and answers with its size and SHA-256. Reader thread.
     *
     * @return the answer, or null until the last chunk; an unknown id (a push already refused) is ignored
     */
    FileDone chunk(long id, FileChunk chunk) {
        Push p = pushes.get(id);
        if (p == null) {
            return null;
        }
        try {
            if (chunk.getOffset() != p.size) {
                throw new AgentError(AgentError.INVALID, "chunk at " + chunk.getOffset() + " where " + p.size
                        + " was expected");
            }
            if (p.size + chunk.getData().size() > p.limit) {
                throw new AgentError(AgentError.INVALID, p.target + " would grow past the limit of " + p.limit
                        + " bytes: nothing was written");
            }
            ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
            while (data.hasRemaining()) {
                p.out.write(data);
            }
            p.sha.update(chunk.getData().asReadOnlyByteBuffer());
            p.size += chunk.getData().size();
            if (!chunk.getLast()) {
                return null;
            }
            p.out.force(true);
            p.out.close();
            try {
                Files.move(p.temp, p.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(p.temp, p.target, StandardCopyOption.REPLACE_EXISTING);
            }
            pushes.remove(id);
            return FileDone.newBuilder().setSize(p.size).setSha256(ByteString.copyFrom(p.sha.digest())).build();
        } catch (IOException e) {
            abandon(id);
            throw new AgentError(AgentError.BACKEND, "cannot write " + p.target + ": " + e.getMessage());
        } catch (AgentError e) {
            abandon(id);
            throw e;
        }
    }

    /** The host gave up on a push. Reader thread. */
    void abandon(long id) {
        Push p = pushes.remove(id);
        if (p != null) {
            p.abandon();
        }
    }

    /** The connection ended: what was not finished is dropped. Reader thread. */
    void abandonAll() {
        pushes.values().forEach(Push::abandon);
        pushes.clear();
    }

    /** Streams a file to the host in chunks, then its size and SHA-256. Worker thread. */
    void pull(long id, FileOpen open, Sink sink) {
        Path file = path(open.getPath());
        long limit = limit(open);
        if (!Files.isRegularFile(file)) {
            throw new AgentError(AgentError.NOT_FOUND, file + " is not a regular file");
        }
        MessageDigest sha = sha256();
        long at = 0;
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (size > limit) {
                throw new AgentError(AgentError.INVALID, file + " has " + size + " bytes, above the limit of " + limit);
            }
            byte[] buf = new byte[CHUNK];
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (at + n > limit) {
                    throw new AgentError(AgentError.INVALID, file + " grew past the limit of " + limit + " bytes");
                }
                sha.update(buf, 0, n);
                boolean last = n < buf.length;
                sink.send(AgentMessage.newBuilder().setId(id).setFileChunk(FileChunk.newBuilder().setOffset(at)
                        .setData(ByteString.copyFrom(buf, 0, n)).setLast(last)).build());
                at += n;
                if (last) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new AgentError(AgentError.BACKEND, "cannot read " + file + ": " + e.getMessage());
        }
        sink.send(AgentMessage.newBuilder().setId(id).setFileDone(FileDone.newBuilder().setSize(at)
                .setSha256(ByteString.copyFrom(sha.digest()))).build());
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
