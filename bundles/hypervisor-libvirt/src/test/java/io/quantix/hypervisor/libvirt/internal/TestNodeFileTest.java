package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** The simulated node's file without libvirt: the state is a map the test changes, as the backend changes domains. */
class TestNodeFileTest {
    @TempDir
    Path dir;

    private final Map<String, TestNodeFile.Entry> domains = new TreeMap<>();

    @Test
    void manyChangesMakeFewFullWritesAndTheFileIsAlwaysWhole() throws IOException {
        Path file = dir.resolve("node.xml");
        TestNodeFile node = open(file);
        int changes = 2 * TestNodeFile.COMPACT_AFTER + 10;
        for (int i = 0; i < changes; i++) {
            change(node, "vm-" + (i % 1500), i % 2 == 0 ? 1 : 5);
            if (i % 97 == 0) {
                assertTrue(names(file).size() <= domains.size(), "the file parses after change " + i);
            }
        }
        assertEquals(2, node.fullWrites(), "one full write per " + TestNodeFile.COMPACT_AFTER + " changes");
        assertEquals(domains.keySet(), Set.copyOf(names(file)), "the last full write held everything then");
    }

    @Test
    void aCleanStopLeavesTheWholeStateInTheFileAndNoJournal() throws IOException {
        Path file = dir.resolve("node.xml");
        TestNodeFile node = open(file);
        change(node, "web", 1);
        change(node, "db", 5);
        remove(node, "web");
        change(node, "cache", 3);

        node.flush();

        assertEquals(List.of("cache", "db"), names(file), "as the backend lists them");
        assertEquals("3", runState(file, "cache"));
        assertEquals(List.of("node.xml"), files(), "no journal, no temporary file");
        node.flush();
        assertEquals(1, node.fullWrites(), "nothing changed since: nothing written");
    }

    @Test
    void aNodeKilledWithoutStoppingLosesNoChange() throws IOException {
        Path file = dir.resolve("node.xml");
        TestNodeFile node = open(file);
        change(node, "web", 1);
        change(node, "db", 1);
        node.flush();
        remove(node, "web");
        change(node, "db", 3);
        change(node, "new", 5);
        // killed here: no flush; a torn line from a power cut at the very end
        Files.writeString(file.resolveSibling("node.xml.journal"), "half\tPGRvbWFp", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        open(file);

        assertEquals(List.of("db", "new"), names(file));
        assertEquals("3", runState(file, "db"));
        assertEquals(List.of("node.xml"), files(), "the journal is folded into the file");
    }

    private TestNodeFile open(Path file) {
        return new TestNodeFile(file, () -> List.copyOf(domains.values()));
    }

    private void change(TestNodeFile node, String name, int runState) {
        TestNodeFile.Entry entry = new TestNodeFile.Entry("<domain type=\"test\"><name>" + name
                + "</name><memory unit=\"KiB\">1024</memory></domain>", runState, List.of());
        domains.put(name, entry);
        node.changed(name, Optional.of(entry));
    }

    private void remove(TestNodeFile node, String name) {
        domains.remove(name);
        node.changed(name, Optional.empty());
    }

    private static List<String> names(Path file) throws IOException {
        return domainElements(file).stream().map(d -> Xml.first(d, "name").getTextContent()).toList();
    }

    private static String runState(Path file, String name) throws IOException {
        return domainElements(file).stream().filter(d -> Xml.first(d, "name").getTextContent().equals(name))
                .findFirst().map(d -> Xml.first(d, TestNodeFile.TEST_NS, "runstate").getTextContent()).orElseThrow();
    }

    private static List<Element> domainElements(Path file) throws IOException {
        return Xml.children(Xml.parse(Files.readString(file)).getDocumentElement(), "domain");
    }

    private List<String> files() throws IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
