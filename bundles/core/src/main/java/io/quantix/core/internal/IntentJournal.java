package io.quantix.core.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-ahead record of the VM creates in flight, one file {@code <data>/intents/<vm-id>.intent} each. The file is
 * on disk (written to a temporary name, fsynced, renamed, directory fsynced) before the create makes anything, and
 * goes once the create has succeeded or been rolled back. So a file found at start names everything an interrupted
 * create may have made, and {@link CrashRecovery} undoes it: its client never got an answer of success.
 * <p>
 * Until an intent is finished, no other create may use its VM name or volumes (CONFLICT): a retry after a crash
 * waits for the rollback instead of racing it.
 */
@Component(service = IntentJournal.class)
public class IntentJournal {
    private static final Logger LOG = LoggerFactory.getLogger(IntentJournal.class);
    private static final String SUFFIX = ".intent";

    private final Path dir;
    /** VM id → intent: every intent whose file exists, whether in flight or left by an earlier run. */
    private final Map<String, CreateIntent> open = new ConcurrentHashMap<>();
    /** The intents found at start: left by a run that ended before finishing them. */
    private final List<CreateIntent> leftovers;

    @Activate
    public IntentJournal() {
        this(NodeDirectories.data().resolve("intents"));
    }

    IntentJournal(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot create the intent journal " + dir + ": " + e.getMessage(), e);
        }
        this.leftovers = read();
        leftovers.forEach(i -> open.put(i.id(), i));
        if (!leftovers.isEmpty()) {
            LOG.warn("{} VM creates were interrupted by the end of the last run: they will be rolled back", leftovers.size());
        }
    }

    /** The intents an earlier run left: to roll back. */
    List<CreateIntent> leftovers() {
        return leftovers;
    }

    /**
     * Records the intent durably; CONFLICT if an open intent has the VM's name or one of its volumes, with nothing
     * recorded.
     */
    synchronized void begin(CreateIntent intent) {
        for (CreateIntent other : open.values()) {
            if (other.vm().equals(intent.vm())) {
                throw conflict("VM '" + intent.vm() + "'", other);
            }
            for (VolumeRef volume : intent.volumes()) {
                if (other.volumes().contains(volume)) {
                    throw conflict("volume " + volume, other);
                }
            }
        }
        try {
            PropertiesFiles.store(file(intent), intent.toProperties(),
                    "VM create in flight; rolled back at start if still here");
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot record the create of VM '" + intent.vm() + "' in "
                    + dir + ": " + e.getMessage(), e);
        }
        open.put(intent.id(), intent);
    }

    /** The create succeeded, or everything it made is gone: its record goes. */
    synchronized void finish(CreateIntent intent) {
        try {
            Files.deleteIfExists(file(intent));
            PropertiesFiles.syncDirectory(dir);
        } catch (IOException e) {
            // left open: the next start rolls back a VM that exists; say so now, loudly
            LOG.error("cannot remove the intent of VM {} ({}): {}", intent.vm(), file(intent), e.getMessage());
            return;
        }
        open.remove(intent.id());
    }

    private QuantixException conflict(String what, CreateIntent other) {
        return new QuantixException(ErrorCode.CONFLICT, what + " belongs to the create of VM '" + other.vm()
                + "', which is still in flight or being rolled back after a restart: retry shortly");
    }

    private Path file(CreateIntent intent) {
        return dir.resolve(intent.id() + SUFFIX);
    }

    /** The intents on disk; a temporary file of a write that a crash cut short was never an intent, and goes. */
    private List<CreateIntent> read() {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.sorted().toList();
            all.stream().filter(f -> f.getFileName().toString().endsWith(SUFFIX + PropertiesFiles.TEMP)).forEach(IntentJournal::deleteQuietly);
            return all.stream().filter(f -> f.getFileName().toString().endsWith(SUFFIX)).map(this::read)
                    .flatMap(java.util.Optional::stream).toList();
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read the intent journal " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An unreadable file is logged and kept for a person to look at, never guessed at. */
    private java.util.Optional<CreateIntent> read(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
            Map<String, String> values = new TreeMap<>();
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
            CreateIntent intent = CreateIntent.of(values);
            if (!file.getFileName().toString().equals(intent.id() + SUFFIX)) {
                throw QuantixException.invalid("its VM id is " + intent.id());
            }
            return java.util.Optional.of(intent);
        } catch (IOException | QuantixException | IllegalArgumentException e) {
            LOG.error("ignoring unreadable intent file {}: {}", file, e.getMessage());
            return java.util.Optional.empty();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a hidden temporary file that is never read
        }
    }
}
