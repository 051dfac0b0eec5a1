package io.quantix.cluster.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.cluster.MemberRole;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What a member keeps on its own disk, in {@code <config>/cluster/}: {@code cluster.properties} (which cluster, its
 * server id and role, the last ensemble it knew, to start its ZooKeeper with after a restart) and, mode 0600, the
 * cluster secret, its node key and certificate, the CA certificate and, on voting members, the CA key. The node is in a
 * cluster exactly when {@code cluster.properties} exists: it is written last on create and join and deleted first on leave.
 */
final class LocalState {
    static final String STATE = "cluster.properties";
    static final String SECRET = "secret";
    static final String NODE_KEY = "node-key.pem";
    static final String NODE_CERT = "node.pem";
    static final String CA_CERT = "ca.pem";
    static final String CA_KEY = "ca-key.pem";

    /** The member's cluster identity as written. */
    record Membership(String clusterName, String clusterId, long serverId, MemberRole role, List<String> servers,
            Optional<String> externalEnsemble) {
    }

    private final Path dir;

    LocalState(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Optional<Membership> read() {
        Path file = dir.resolve(STATE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file)));
            List<String> servers = new ArrayList<>();
            p.stringPropertyNames().stream().filter(k -> k.startsWith("server.")).sorted().forEach(k -> servers.add(k + "=" + p.getProperty(k)));
            return Optional.of(new Membership(p.getProperty("name"), p.getProperty("id"), Long.parseLong(p.getProperty("serverId", "0")),
                    MemberRole.valueOf(p.getProperty("role")), servers,
                    Optional.ofNullable(p.getProperty("externalEnsemble")).filter(s -> !s.isBlank())));
        } catch (IOException | RuntimeException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    void write(Membership membership) {
        Properties p = new Properties();
        p.setProperty("name", membership.clusterName());
        p.setProperty("id", membership.clusterId());
        p.setProperty("serverId", Long.toString(membership.serverId()));
        p.setProperty("role", membership.role().name());
        membership.externalEnsemble().ifPresent(e -> p.setProperty("externalEnsemble", e));
        for (String line : membership.servers()) {
            int eq = line.indexOf('=');
            p.setProperty(line.substring(0, eq), line.substring(eq + 1));
        }
        StringWriter text = new StringWriter();
        try {
            p.store(text, "this node's cluster membership: written by the cluster bundle, do not edit");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        writeFile(STATE, text.toString(), false);
    }

    String readFile(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    boolean exists(String name) {
        return Files.exists(dir.resolve(name));
    }

    /**
     * Writes atomically (temp file, fsync, rename); a secret is created mode 0600 from the start, never widened later.
     */
    void writeFile(String name, String content, boolean secret) {
        Path file = dir.resolve(name);
        Path temp = dir.resolve("." + name + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(temp);
            if (secret) {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Forgets the cluster: the state file first (from then on the node is alone), then keys and secrets. */
    void delete() {
        try {
            Files.deleteIfExists(dir.resolve(STATE));
            deleteTree(dir);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
