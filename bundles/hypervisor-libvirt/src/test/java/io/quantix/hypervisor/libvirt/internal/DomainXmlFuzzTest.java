package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ConsoleType;
import io.quantix.api.DiskBus;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.fuzz.ByteFuzz;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes what reads libvirt's XML back: the domain with its Quantix metadata (DomainXml, DeviceXml, the console
 * lookup) and snapshot descriptions. Documents are a real one, built by DomainXml as libvirt keeps it, mutated at the
 * byte level with XML tokens inserted (markup, entities, DOCTYPEs, CDATA, namespace prefixes, Quantix elements in the
 * wrong place), or random bytes. Every reader returns or fails with a QuantixException; none throws a runtime
 * exception or overflows its stack.
 */
class DomainXmlFuzzTest {
    private static final String DOMAIN = DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"),
            Fixtures.disks("/data/pool-a/root.qcow2"), Fixtures.nics(), DomainXml.Type.KVM, Fixtures.RUN_DIR);
    private static final String SNAPSHOT = """
            <domainsnapshot><name>before-upgrade</name><state>running</state><parent><name>base</name></parent>
            <creationTime>1764600000</creationTime><memory snapshot='external' file='/data/mem'/>
            <disks><disk name='vda' snapshot='external' type='file'><source file='/data/pool-a/root.before'/></disk>
            <disk name='sda' snapshot='no'/></disks></domainsnapshot>""";
    private static final List<byte[]> TOKENS = ByteFuzz.tokens("<", ">", "/>", "</", "&", "&amp;", "&#0;", "&#x110000;",
            "&nosuch;", "\"", "'", "=", "<!DOCTYPE domain [<!ENTITY e 'x'>]>", "<![CDATA[x]]>", "]]>", "<?pi x?>", "<!--",
            "-->", " xmlns:qx='urn:other'", " xmlns='https://quantix.io/xmlns/vm/1'", "qx:", "<qx:disk target='vdz'/>",
            "<qx:nic mac='52:54:00:aa:bb:09'/>", "<disk type='network'><source protocol='nbd'/></disk>", "<name/>",
            "<memory unit='EiB'>99999999999999999999</memory>", "<vcpu>-1</vcpu>", " size-bytes='1e9'", " bus='floppy'",
            "\u0000", "\uFFFF", "\uD83D\uDE00");

    /** Each reader of domain XML in the backend, as it is called on what libvirt returns. */
    private static final List<Consumer<String>> DOMAIN_READERS = List.of(
            xml -> DomainXml.parse(xml, PowerState.RUNNING),
            DeviceXml::diskTargets,
            xml -> DeviceXml.nicMac(xml, "port-1"),
            xml -> DeviceXml.diskFile(xml, "vda"),
            xml -> DeviceXml.freeTarget(xml, DiskBus.VIRTIO),
            xml -> DeviceXml.metadata(xml, qx -> DomainXml.writeTags(qx, java.util.Set.of("fuzz"))),
            xml -> LibvirtConsoles.graphics(xml, ConsoleType.VNC));

    private static void readsOrFailsCleanly(String domainXml, String snapshotXml) {
        for (Consumer<String> reader : DOMAIN_READERS) {
            readOrFail(() -> reader.accept(domainXml));
        }
        readOrFail(() -> LibvirtSnapshots.parse(snapshotXml));
    }

    private static void readOrFail(Runnable read) {
        try {
            read.run();
        } catch (QuantixException e) {
            // the clean outcome for a document that is not what libvirt writes
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("failed with " + e, e);
        }
    }

    @Example
    void theUnmutatedDocumentsAreRead() {
        assertEquals("web-1", DomainXml.parse(DOMAIN, PowerState.RUNNING).orElseThrow().spec().name());
        assertEquals("before-upgrade", LibvirtSnapshots.parse(SNAPSHOT).snapshot().name());
        readsOrFailsCleanly(DOMAIN, SNAPSHOT);
    }

    @Property
    void mutatedDocuments(@ForAll("edits") List<ByteFuzz.Edit> edits) {
        readsOrFailsCleanly(mutate(DOMAIN, edits), mutate(SNAPSHOT, edits));
    }

    @Property
    void randomBytes(@ForAll("bytes") byte[] document) {
        // every reader parses first, and random bytes go no further: one domain reader stands for all of them
        String text = new String(document, StandardCharsets.UTF_8);
        readOrFail(() -> DomainXml.parse(text, PowerState.RUNNING));
        readOrFail(() -> LibvirtSnapshots.parse(text));
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> edits() {
        return ByteFuzz.edits(4);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
    }

    private static String mutate(String xml, List<ByteFuzz.Edit> edits) {
        return new String(ByteFuzz.apply(xml.getBytes(StandardCharsets.UTF_8), edits, TOKENS), StandardCharsets.UTF_8);
    }

    @Example
    void deepNestingIsRefusedBeforeAnyReaderRecursesIntoIt() {
        // what libvirt keeps is a few levels deep; 100 000 nested elements in the metadata made the recursive
        // readers (getTextContent, the metadata copy, the serializer) overflow the stack: found by this class
        String deep = "<x>".repeat(100_000) + "</x>".repeat(100_000);
        String xml = DOMAIN.replace("<qx:tag>web</qx:tag>", "<qx:tag>" + deep + "</qx:tag>");
        assertTrue(xml.contains(deep), "the fixture has a web tag to nest into");
        for (Consumer<String> reader : DOMAIN_READERS) {
            QuantixException e = assertThrows(QuantixException.class, () -> reader.accept(xml));
            assertEquals(ErrorCode.BACKEND_ERROR, e.code(), e.getMessage());
        }
    }

    @Example
    void entitiesAreNeverExpanded() {
        // the billion laughs: refused with its DOCTYPE, before a single entity is expanded
        String laughs = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY a 'haha'>"
                + "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
                + "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]><domain><name>&d;</name></domain>";
        QuantixException e = assertThrows(QuantixException.class, () -> Xml.parse(laughs));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }
}
