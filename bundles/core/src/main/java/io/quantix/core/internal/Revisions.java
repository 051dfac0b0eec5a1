package io.quantix.core.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-wide revision counter behind every VM's version. It only goes up, across restarts too: the file holds a
 * high-water mark above every revision handed out, reserved a block at a time, and a new start counts on from it.
 * A crash skips what was left of the block; it never repeats a revision.
 */
final class Revisions {
    private static final Logger LOG = LoggerFactory.getLogger(Revisions.class);
    /** Revisions reserved per write of the file: one small write per this many VM changes. */
    static final long BLOCK = 10_000;
    private static final String RESERVED = "reserved";

    private final Path file;
    private final AtomicLong last;
    private volatile long reserved;

    Revisions(Path file) {
        this.file = file;
        this.reserved = read(file);
        this.last = new AtomicLong(reserved);
        reserve(reserved + BLOCK);
    }

    /** A revision higher than any handed out before, here or in an earlier run over the same file. */
    long next() {
        long revision = last.incrementAndGet();
        if (revision > reserved) {
            synchronized (this) {
                if (revision > reserved) {
                    reserve(revision + BLOCK);
                }
            }
        }
        return revision;
    }

    /** The highest revision handed out so far. */
    long current() {
        return last.get();
    }

    private void reserve(long upTo) {
        Properties content = new Properties();
        content.setProperty(RESERVED, Long.toString(upTo));
        try {
            Files.createDirectories(file.getParent());
            PropertiesFiles.store(file, content, "Quantix VM versions: every one handed out is below this");
        } catch (IOException e) {
            // the node keeps working; only a restart could then hand out a version again
            LOG.error("cannot save the VM revision mark to {}: {}", file, e.getMessage());
        }
        reserved = upTo;
    }

    private static long read(Path file) {
        Properties content = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            content.load(in);
            return Long.parseLong(content.getProperty(RESERVED, "0"));
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read the VM revision mark " + file + ": " + e.getMessage(), e);
        }
    }
}
