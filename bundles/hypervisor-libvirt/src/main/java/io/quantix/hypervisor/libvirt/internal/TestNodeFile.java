package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.xml.XMLConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The state file of libvirt's test driver. The driver reads it once per connection and never writes it, so the backend
 * keeps it: each change appends the changed domain to a journal beside the file (one short line, so defining 10,000
 * VMs does not rewrite a growing file 10,000 times), and the whole state is written to the file, atomically, once
 * the journal holds {@link #COMPACT_AFTER} changes and when the backend stops. Opening the file first folds in a
 * journal left by a node that did not stop cleanly.
 * <p>
 * What survives what: a clean stop leaves the whole state in the file and no journal; a killed node ({@code kill -9})
 * loses nothing, as every change was written to the journal before the call that made it returned; a power cut can
 * lose the changes since the last full write, as the journal is not fsynced per change (the simulated node is a test
 * device; its full writes are fsynced), and a torn last journal line is skipped.
 */
final class TestNodeFile {
    static final String TEST_NS = "http://libvirt.org/schemas/domain/test/1.0";
    /** Journal lines after which the whole state is written again. */
    static final int COMPACT_AFTER = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TestNodeFile.class);
    private static final String TEMP_SUFFIX = ".tmp";
    private static final String JOURNAL_SUFFIX = ".journal";
    private static final String REMOVED = "-";

    /**
     * A domain as the file records it: its persistent XML, libvirt's run state (1 running, 3 paused, 5 shut off)
     * and its snapshots, each as libvirt describes it.
     */
    record Entry(String inactiveXml, int runState, List<SnapshotEntry> snapshots) {
    }

    /** @param current whether it is the domain's current snapshot (the parent of the next one) */
    record SnapshotEntry(String xml, boolean current) {
    }

    private final Path file;
    private final Path journal;
    private final Supplier<List<Entry>> state;
    private int journalled;
    private int fullWrites;

    /**
     * Opens the file for a connection about to read it: creates it if missing, folds in the journal of a run that
     * did not stop cleanly, and removes the temporary files of full writes a killed node never finished.
     *
     * @param state every domain now, for a full write; called under the caller's lock, as every method here is
     */
    TestNodeFile(Path file, Supplier<List<Entry>> state) {
        this.file = file;
        this.journal = file.resolveSibling(file.getFileName() + JOURNAL_SUFFIX);
        this.state = state;
        try {
            Files.createDirectories(file.getParent());
            if (Files.notExists(file)) {
                write(file, "<node/>\n");
            }
            String name = file.getFileName().toString();
            try (java.util.stream.Stream<Path> siblings = Files.list(file.getParent())) {
                for (Path temp : siblings.filter(p -> p.getFileName().toString().startsWith(name)
                        && p.getFileName().toString().endsWith(TEMP_SUFFIX)).toList()) {
                    Files.deleteIfExists(temp);
                }
            }
            if (Files.exists(journal)) {
                recover();
            }
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Records one domain's change (empty: it was undefined) before the call that made it returns. */
    void changed(String domain, Optional<Entry> entry) {
        String line = domain + "\t" + entry.map(e -> Base64.getEncoder().encodeToString(
                domainXml(e).getBytes(StandardCharsets.UTF_8))).orElse(REMOVED) + "\n";
        try {
            Files.writeString(journal, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "cannot save the simulated node's state to " + journal + ": " + e.getMessage(), e);
        }
        if (++journalled >= COMPACT_AFTER) {
            flush();
        }
    }

    /** Writes the whole state to the file and drops the journal; nothing to do when nothing changed. */
    void flush() {
        if (journalled == 0 && Files.notExists(journal)) {
            return;
        }
        save(state.get());
        try {
            Files.deleteIfExists(journal);
        } catch (IOException e) {
            // folding the journal in again at the next open gives the same state
            LOG.warn("cannot remove the simulated node's journal {}: {}", journal, e.getMessage());
        }
        journalled = 0;
    }

    /** How many times the whole state was written since this was opened. */
    int fullWrites() {
        return fullWrites;
    }

    private void save(List<Entry> domains) {
        Document doc = Xml.newDocument();
        Element node = doc.createElementNS(null, "node");
        doc.appendChild(node);
        for (Entry entry : domains) {
            node.appendChild(domain(doc, entry));
        }
        write(doc);
    }

    private void write(Document doc) {
        try {
            write(file, Xml.serialize(doc, true));
            fullWrites++;
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "cannot save the simulated node's state to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's domains, by name, with the journal's changes applied in order; then written back. */
    private void recover() throws IOException {
        Document doc = Xml.parse(Files.readString(file, StandardCharsets.UTF_8));
        Map<String, Element> domains = new LinkedHashMap<>();
        for (Element domain : Xml.children(doc.getDocumentElement(), "domain")) {
            domains.put(Xml.first(domain, "name").getTextContent(), domain);
        }
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String[] parts = lines.get(i).split("\t", 2);
            try {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("no tab");
                }
                if (parts[1].equals(REMOVED)) {
                    domains.remove(parts[0]);
                } else {
                    String xml = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                    domains.put(parts[0], (Element) doc.importNode(Xml.parse(xml).getDocumentElement(), true));
                }
            } catch (IllegalArgumentException | QuantixException e) {
                // only the last line can be torn, by a power cut in the middle of its write
                LOG.warn("skipping line {} of the simulated node's journal {}: {}", i + 1, journal, e.getMessage());
            }
        }
        Element node = doc.getDocumentElement();
        while (node.getFirstChild() != null) {
            node.removeChild(node.getFirstChild());
        }
        domains.values().forEach(node::appendChild);
        write(doc);
        Files.delete(journal);
        LOG.info("simulated node file {}: folded in {} change(s) of a run that did not stop cleanly", file, lines.size());
    }

    private static String domainXml(Entry entry) {
        Document doc = Xml.newDocument();
        doc.appendChild(domain(doc, entry));
        return Xml.serialize(doc, false);
    }

    private static Element domain(Document doc, Entry entry) {
        Element domain = (Element) doc.importNode(Xml.parse(entry.inactiveXml()).getDocumentElement(), true);
        domain.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:test", TEST_NS);
        entry.snapshots().forEach(snapshot -> domain.appendChild(snapshot(doc, snapshot)));
        // The driver reads the run state only as a direct child of <domain>.
        Element runState = doc.createElementNS(TEST_NS, "test:runstate");
        runState.setTextContent(Integer.toString(entry.runState()));
        domain.appendChild(runState);
        return domain;
    }

    /**
     * The driver reads a snapshot from a {@code <test:domainsnapshot>} child of its domain holding what libvirt's
     * {@code <domainsnapshot>} holds, plus {@code <active>}: 1 on the current one, else 0.
     */
    private static Element snapshot(Document doc, SnapshotEntry snapshot) {
        Element element = doc.createElementNS(TEST_NS, "test:domainsnapshot");
        Element described = Xml.parse(snapshot.xml()).getDocumentElement();
        for (Node child = described.getFirstChild(); child != null; child = child.getNextSibling()) {
            element.appendChild(doc.importNode(child, true));
        }
        // libvirt's own element, in no namespace like the rest of the snapshot's; required on each snapshot
        Element active = doc.createElementNS(null, "active");
        active.setTextContent(snapshot.current() ? "1" : "0");
        element.appendChild(active);
        return element;
    }

    /**
     * Temp file, fsync, atomic rename: a crash mid-write must not leave a half file the driver refuses to load, and a
     * power cut must not leave an empty one.
     */
    private static void write(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
