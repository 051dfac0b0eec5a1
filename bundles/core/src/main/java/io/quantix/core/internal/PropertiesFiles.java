package io.quantix.core.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The core's one way to write a file (definitions, tombstones, intents, node.yaml): a crash or power cut leaves the
 * old content or the new, never a part. The content goes to a hidden {@code .<name>.tmp} beside the file, is
 * fsynced, renamed over the file, and the rename is made durable by fsyncing the folder.
 */
final class PropertiesFiles {
    /** The suffix of the temporary file a write cut short may leave; never a file of its own. */
    static final String TEMP = ".tmp";

    private PropertiesFiles() {
    }

    static void store(Path file, Properties content, String comment) throws IOException {
        StringWriter text = new StringWriter();
        content.store(text, comment);
        write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Any file the core owns (node.yaml too) is written this way. */
    static void write(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + TEMP);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    /** A rename or delete is durable only once its folder is. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
