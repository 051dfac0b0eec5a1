package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSource.Credentials;
import io.quantix.api.DiskSource.Host;
import io.quantix.api.DiskSource.Protocol;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class NetworkDisksTest {
    /** Every XML metacharacter, in every string a network disk writes. */
    private static final String NASTY_NAME = "/export/a&b<c>'d\"e.qcow2";
    private static final String NASTY_USER = "u&<>'\"x";
    private static final String CHAP_PASSWORD = "p&ss<w>rd'\"";
    private static final String CEPH_KEY = Base64.getEncoder().encodeToString("sixteen raw byte".getBytes(StandardCharsets.UTF_8));

    static List<AttachedDisk> networkDisks() {
        return List.of(
                disk("nfs-pool", "root", new DiskSource.Network(Protocol.NFS, NASTY_NAME, List.of(new Host("127.0.0.1", 2049)),
                        Optional.empty()), VolumeFormat.QCOW2),
                disk("ceph", "data", new DiskSource.Network(Protocol.RBD, "rbd/vol-1",
                        List.of(new Host("mon-a.example", 0), new Host("[fd00::1]", 6789)),
                        Optional.of(new Credentials("ceph", "admin", CEPH_KEY))), VolumeFormat.RAW),
                disk("san", "lun1", new DiskSource.Network(Protocol.ISCSI, "iqn.2026-11.io.quantix:t&1/1",
                        List.of(new Host("127.0.0.1", 3261)), Optional.of(new Credentials("san", NASTY_USER, CHAP_PASSWORD))),
                        VolumeFormat.RAW));
    }

    private static AttachedDisk disk(String pool, String volume, DiskSource source, VolumeFormat format) {
        return new AttachedDisk(new VolumeRef(pool, volume), source, format, DiskBus.VIRTIO);
    }

    private static String domain() {
        return DomainXml.build(Fixtures.ID, Fixtures.spec("web-1"), networkDisks(), Fixtures.nics(), DomainXml.Type.QEMU,
                Fixtures.RUN_DIR);
    }

    @Test
    void networkDisksAreWhatLibvirtExpects() {
        List<Element> disks = Xml.children(Xml.first(Xml.parse(domain()).getDocumentElement(), "devices"), "disk");

        Element nfs = disks.get(0);
        assertEquals("network", nfs.getAttribute("type"));
        assertEquals("qcow2", Xml.first(nfs, "driver").getAttribute("type"));
        Element nfsSource = Xml.first(nfs, "source");
        assertEquals("nfs", nfsSource.getAttribute("protocol"));
        assertEquals(NASTY_NAME, nfsSource.getAttribute("name"));
        assertEquals("127.0.0.1", Xml.first(nfsSource, "host").getAttribute("name"));
        assertEquals("2049", Xml.first(nfsSource, "host").getAttribute("port"));
        assertEquals("root", Xml.first(nfsSource, "identity").getAttribute("user"));
        assertEquals("root", Xml.first(nfsSource, "identity").getAttribute("group"));
        assertNull(Xml.first(nfsSource, "auth"));

        Element rbdSource = Xml.first(disks.get(1), "source");
        assertEquals("rbd", rbdSource.getAttribute("protocol"));
        assertEquals("raw", Xml.first(disks.get(1), "driver").getAttribute("type"));
        List<Element> monitors = Xml.children(rbdSource, "host");
        assertEquals("mon-a.example", monitors.get(0).getAttribute("name"));
        assertFalse(monitors.get(0).hasAttribute("port"), "port 0 is the protocol's default: left to libvirt");
        assertEquals("fd00::1", monitors.get(1).getAttribute("name"));
        assertEquals("6789", monitors.get(1).getAttribute("port"));
        assertNull(Xml.first(rbdSource, "identity"));
        Element cephSecret = Xml.first(Xml.first(rbdSource, "auth"), "secret");
        assertEquals("admin", Xml.first(rbdSource, "auth").getAttribute("username"));
        assertEquals("ceph", cephSecret.getAttribute("type"));
        assertEquals("quantix-ceph", cephSecret.getAttribute("usage"));

        Element iscsiSource = Xml.first(disks.get(2), "source");
        assertEquals("iscsi", iscsiSource.getAttribute("protocol"));
        assertEquals("iqn.2026-11.io.quantix:t&1/1", iscsiSource.getAttribute("name"));
        assertEquals(NASTY_USER, Xml.first(iscsiSource, "auth").getAttribute("username"));
        assertEquals("iscsi", Xml.first(Xml.first(iscsiSource, "auth"), "secret").getAttribute("type"));
    }

    @Test
    void noSecretValueIsInTheDomainAndEveryStringIsEscaped() {
        String xml = domain();

        assertFalse(xml.contains(CEPH_KEY), "the cephx key is in libvirt's secret store, not the domain");
        assertFalse(xml.contains(CHAP_PASSWORD) || xml.contains("p&amp;ss&lt;w&gt;rd"), "the CHAP password neither");
        assertFalse(xml.contains("a&b<c>") || xml.contains("t&1") || xml.contains("u&<>"), xml);
        assertTrue(xml.contains("a&amp;b&lt;c&gt;"), xml);
        assertTrue(xml.contains("u&amp;&lt;&gt;"), xml);
    }

    @Test
    void networkDisksRoundTripWithTheirSecretsStoredInLibvirt() {
        Vm vm = DomainXml.parse(domain(), PowerState.STOPPED).orElseThrow();

        assertEquals(List.of(networkDisks().get(0), stored(networkDisks().get(1)), stored(networkDisks().get(2))), vm.disks());
    }

    static AttachedDisk stored(AttachedDisk disk) {
        DiskSource.Network network = (DiskSource.Network) disk.source();
        Credentials login = network.credentials().orElseThrow();
        return new AttachedDisk(disk.volume(), new DiskSource.Network(network.protocol(), network.name(), network.hosts(),
                Optional.of(Credentials.stored(login.id(), login.user()))), disk.format(), disk.bus());
    }

    @Test
    void aSecretDefinitionNamesItsUsageAndHasAStableUuidButNoValue() {
        Credentials chap = new Credentials("san", "initiator", CHAP_PASSWORD);
        String xml = NetworkDisks.secretXml(Protocol.ISCSI, chap);
        Element secret = Xml.parse(xml).getDocumentElement();

        assertEquals("yes", secret.getAttribute("private"));
        assertEquals("iscsi", Xml.first(secret, "usage").getAttribute("type"));
        assertEquals("quantix-san", Xml.first(Xml.first(secret, "usage"), "target").getTextContent());
        assertEquals("quantix-ceph", Xml.first(Xml.first(Xml.parse(NetworkDisks.secretXml(Protocol.RBD,
                new Credentials("ceph", "admin", CEPH_KEY))).getDocumentElement(), "usage"), "name").getTextContent());
        assertEquals(xml, NetworkDisks.secretXml(Protocol.ISCSI, new Credentials("san", "other", "other password")),
                "the same pool's secret is defined again under the same UUID, so its value is updated in place");
        assertFalse(xml.contains("ss<w") || xml.contains("ss&lt;w"), xml);
    }

    @Test
    void secretValuesAreTheRawCephKeyAndTheChapPassword() {
        assertArrayEquals("sixteen raw byte".getBytes(StandardCharsets.UTF_8),
                NetworkDisks.secretValue(Protocol.RBD, new Credentials("ceph", "admin", CEPH_KEY)));
        assertArrayEquals(CHAP_PASSWORD.getBytes(StandardCharsets.UTF_8),
                NetworkDisks.secretValue(Protocol.ISCSI, new Credentials("san", "u", CHAP_PASSWORD)));
        QuantixException bad = assertThrows(QuantixException.class,
                () -> NetworkDisks.secretValue(Protocol.RBD, new Credentials("ceph", "admin", "not*base64!")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
        assertFalse(bad.getMessage().contains("not*base64!"), bad.getMessage());
    }

    @Test
    void nfsHasNoLoginsInLibvirt() {
        AttachedDisk nfsWithLogin = disk("nfs-pool", "root", new DiskSource.Network(Protocol.NFS, "/export/x.qcow2",
                List.of(new Host("127.0.0.1", 0)), Optional.of(new Credentials("nfs", "u", "p"))), VolumeFormat.RAW);

        QuantixException e = assertThrows(QuantixException.class, () -> DomainXml.build(Fixtures.ID,
                Fixtures.spec("web-1"), List.of(nfsWithLogin), List.of(), DomainXml.Type.QEMU, Fixtures.RUN_DIR));
        assertEquals(ErrorCode.UNSUPPORTED, e.code());
    }

    @Test
    void credentialsNeverShowTheirSecret() {
        assertFalse(new Credentials("san", "u", CHAP_PASSWORD).toString().contains("ss<w"));
        assertTrue(Credentials.stored("san", "u").toString().contains("(stored)"));
    }
}
