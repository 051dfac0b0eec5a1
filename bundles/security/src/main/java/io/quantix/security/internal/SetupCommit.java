package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First-boot setup's files ({@code admin.yaml}, the console's {@code network.yaml}, ... and {@code .setup_complete})
 * as one set: a power cut leaves the node as it was before setup or with every file of it, never some.
 *
 * <p>The scheme: every file is written (0600, fsync) into {@code <config>/.setup-staging/}, which is then renamed to
 * {@code .setup-commit} in one step: that rename is the commit point. Only then are the files moved into the config
 * folder one by one, {@code .setup_complete} last, and the folder removed. A start that finds {@code .setup-staging}
 * deletes it (setup never happened); one that finds {@code .setup-commit} finishes the moves (setup happened).
 * {@link #recover} runs when the security bundle activates, before any API or the console can look at the files.
 */
final class SetupCommit {
    static final String COMPLETE = ".setup_complete";
    static final String STAGING = ".setup-staging";
    static final String COMMITTED = ".setup-commit";
    /**
     * Milliseconds to wait between staging and the commit rename: only for the test that kills the node inside the
     * write (a system property, so nothing in {@code etc/} turns it on by accident). 0 in production.
     */
    static final String PAUSE_PROPERTY = "quantix.setup.commitPauseMillis";
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Logger LOG = LoggerFactory.getLogger(SetupCommit.class);

    private final Path configDir;

    SetupCommit(Path configDir) {
        this.configDir = configDir;
    }

    boolean complete() {
        return Files.exists(configDir.resolve(COMPLETE));
    }

    /** Writes the files and {@code .setup_complete} as one set (see the class comment). */
    synchronized void commit(Map<String, byte[]> files) {
        Map<String, byte[]> set = new LinkedHashMap<>();
        files.forEach((name, content) -> {
            if (!FILE_NAME.matcher(name).matches()) {
                throw QuantixException.invalid("setup file name " + name + " is not a plain file name");
            }
            set.put(name, content);
        });
        set.put(COMPLETE, ("setup completed " + Instant.now() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path staging = configDir.resolve(STAGING);
        try {
            SecureFiles.createPrivateDirectories(configDir);
            deleteTree(staging);
            Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            for (Map.Entry<String, byte[]> file : set.entrySet()) {
                writeSynced(staging.resolve(file.getKey()), file.getValue());
            }
            syncDirectory(staging);
            pauseForTest();
            Files.move(staging, configDir.resolve(COMMITTED), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(configDir);
            rollForward();
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write the setup files in " + configDir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Finishes a committed set or drops an uncommitted one, as a kill left them. */
    synchronized void recover() {
        try {
            if (Files.isDirectory(configDir.resolve(COMMITTED))) {
                LOG.warn("Finishing the first-boot setup that was committed before the node stopped");
                rollForward();
            }
            if (Files.exists(configDir.resolve(STAGING))) {
                LOG.warn("Dropping the first-boot setup that was not committed before the node stopped");
                deleteTree(configDir.resolve(STAGING));
            }
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot recover the setup files in " + configDir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Marks setup done without other files: a node whose admin was made before this marker existed. */
    void markComplete() {
        commit(Map.of());
    }

    private void rollForward() throws IOException {
        Path committed = configDir.resolve(COMMITTED);
        List<Path> files;
        try (Stream<Path> list = Files.list(committed)) {
            files = list.sorted(Comparator.comparing(p -> p.getFileName().toString().equals(COMPLETE))).toList();
        }
        for (Path file : files) { // .setup_complete last
            Files.move(file, configDir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(configDir);
        Files.delete(committed);
        syncDirectory(configDir);
    }

    private void pauseForTest() {
        long pause = Long.getLong(PAUSE_PROPERTY, 0);
        if (pause > 0) {
            LOG.warn("Pausing {} ms before committing the setup files ({} is set: a test)", pause, PAUSE_PROPERTY);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void writeSynced(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(SecureFiles.OWNER_ONLY))) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
