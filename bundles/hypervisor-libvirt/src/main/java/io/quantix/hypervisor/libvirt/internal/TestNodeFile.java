package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.xml.XMLConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The state file of libvirt's test driver. The driver reads it once per connection and never writes it,
 * so the backend rewrites it after each change; the next connection (a restarted backend) starts from it.
 */
final class TestNodeFile {
    static final String TEST_NS = "http://libvirt.org/schemas/domain/test/1.0";
    private static final String TEMP_SUFFIX = ".tmp";

    /**
     * A domain as the file records it: its persistent XML, libvirt's run state (1 running, 3 paused, 5 shut off)
     * and its snapshots, each as libvirt describes it.
     */
    record Entry(String inactiveXml, int runState, List<SnapshotEntry> snapshots) {
    }

    /** @param current whether it is the domain's current snapshot (the parent of the next one) */
    record SnapshotEntry(String xml, boolean current) {
    }

    private TestNodeFile() {
    }

    /** Also removes the temporary files of saves that a killed node never finished (see {@link #write}). */
    static void createIfMissing(Path file) {
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
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    static void save(Path file, List<Entry> domains) {
        Document doc = Xml.newDocument();
        Element node = doc.createElementNS(null, "node");
        doc.appendChild(node);
        for (Entry entry : domains) {
            Element domain = (Element) doc.importNode(Xml.parse(entry.inactiveXml()).getDocumentElement(), true);
            domain.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:test", TEST_NS);
            entry.snapshots().forEach(snapshot -> domain.appendChild(snapshot(doc, snapshot)));
            // The driver reads the run state only as a direct child of <domain>.
            Element runState = doc.createElementNS(TEST_NS, "test:runstate");
            runState.setTextContent(Integer.toString(entry.runState()));
            domain.appendChild(runState);
            node.appendChild(domain);
        }
        try {
            write(file, Xml.serialize(doc, true));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "cannot save the simulated node's state to " + file + ": " + e.getMessage(), e);
        }
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

    /** Temp file and atomic rename: a crash mid-write must not leave a half file the driver refuses to load. */
    private static void write(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), TEMP_SUFFIX);
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
