package io.quantix.core.internal;

import io.quantix.api.Snapshot;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which VM snapshots were taken with the guest's filesystems frozen. Hypervisors do not record it (libvirt's snapshot
 * XML has no such field), so the node does: one small file, a key per quiesced snapshot ({@code <vm-id>/<name>}; a
 * snapshot name cannot hold a slash), rewritten atomically on each change. A snapshot unknown here reads as not
 * quiesced, which is the safe answer.
 */
@Component(service = QuiescedSnapshots.class)
public class QuiescedSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(QuiescedSnapshots.class);
    private final Path file;
    private final Properties marks = new Properties();

    @Activate
    public QuiescedSnapshots() {
        this(NodeDirectories.data().resolve("quiesced-snapshots.properties"));
    }

    QuiescedSnapshots(Path file) {
        this.file = file;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            marks.load(in);
        } catch (NoSuchFileException e) {
            // none yet
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("cannot read {}: snapshots taken so far read as not quiesced: {}", file, e.getMessage());
        }
    }

    /** The snapshot as the node knows it: quiesced if it was recorded so. */
    synchronized Snapshot of(String vmId, Snapshot snapshot) {
        return snapshot.withQuiesced(marks.containsKey(key(vmId, snapshot.name())));
    }

    synchronized void taken(String vmId, Snapshot snapshot) {
        if (snapshot.quiesced()) {
            marks.setProperty(key(vmId, snapshot.name()), "true");
        } else {
            marks.remove(key(vmId, snapshot.name()));
        }
        save();
    }

    synchronized void deleted(String vmId, String snapshot) {
        if (marks.remove(key(vmId, snapshot)) != null) {
            save();
        }
    }

    /** A deleted VM's snapshots went with it. */
    synchronized void vmDeleted(String vmId) {
        if (marks.keySet().removeIf(k -> k.toString().startsWith(vmId + "/"))) {
            save();
        }
    }

    private static String key(String vmId, String snapshot) {
        return vmId + "/" + snapshot;
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            PropertiesFiles.store(file, marks, "Quantix: the VM snapshots taken with the guest's filesystems frozen");
        } catch (IOException e) {
            // the snapshot exists either way; only its quiesced mark may read wrong after a restart
            LOG.error("cannot save {}: {}", file, e.getMessage());
        }
    }
}
