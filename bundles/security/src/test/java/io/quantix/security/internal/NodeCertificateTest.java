package io.quantix.security.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCertificateTest {
    private static final Instant NOW = Instant.parse("2026-11-25T18:30:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path config;

    @Test
    void firstStartGeneratesSelfSignedCertificate() throws Exception {
        Path dir = config.resolve("certificates");
        NodeCertificate tls = new NodeCertificate(dir, CLOCK, "node1.example.org");

        Path p12 = dir.resolve("node.p12");
        Path pass = dir.resolve("node.p12.pass");
        assertEquals(p12, tls.keyStorePath());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p12)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pass)));
        assertEquals(Files.readString(pass).strip(), new String(tls.password()));

        // What a server does with the files: load the keystore with the password from the .pass file.
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        loaded.load(new ByteArrayInputStream(Files.readAllBytes(p12)), Files.readString(pass).strip().toCharArray());
        PrivateKey key = (PrivateKey) loaded.getKey("node", tls.password());
        assertEquals("EC", key.getAlgorithm());
        X509Certificate cert = (X509Certificate) loaded.getCertificate("node");
        assertEquals("CN=node1.example.org", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey());
        assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(2, "node1.example.org")),
                cert.getSubjectAlternativeNames().stream().toList());
        assertEquals(NOW.atOffset(ZoneOffset.UTC).plusYears(10).toInstant(), cert.getNotAfter().toInstant());
        assertTrue(cert.getNotBefore().toInstant().isBefore(NOW));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    }

    @Test
    void laterStartsKeepTheCertificate() throws Exception {
        Path dir = config.resolve("certificates");
        NodeCertificate first = new NodeCertificate(dir, CLOCK, "node1");
        byte[] keystore = Files.readAllBytes(dir.resolve("node.p12"));

        NodeCertificate second = new NodeCertificate(dir, CLOCK, "renamed-host");

        assertArrayEquals(keystore, Files.readAllBytes(dir.resolve("node.p12")));
        assertArrayEquals(first.password(), second.password());
        assertEquals(first.keyStore().getCertificate("node"), second.keyStore().getCertificate("node"));
    }

    @Test
    void userKeystoreIsUsedAndNeverOverwritten() throws Exception {
        Path dir = config.resolve("certificates");
        Files.createDirectories(dir);
        char[] userPassword = "the user's own password".toCharArray();
        byte[] userKeystore = NodeCertificate.generate("www.example.org", NOW, userPassword);
        Files.write(dir.resolve("node.p12"), userKeystore);
        Files.writeString(dir.resolve("node.p12.pass"), "the user's own password\n");
        Files.setPosixFilePermissions(dir.resolve("node.p12.pass"), PosixFilePermissions.fromString("rw-------"));

        NodeCertificate tls = new NodeCertificate(dir, CLOCK, "node1");

        assertArrayEquals(userKeystore, Files.readAllBytes(dir.resolve("node.p12")));
        assertArrayEquals(userPassword, tls.password());
        assertEquals("CN=www.example.org",
                ((X509Certificate) tls.keyStore().getCertificate("node")).getSubjectX500Principal().getName());
    }

    @Test
    void keystoreWithoutPasswordFileIsRefused() throws IOException, GeneralSecurityException {
        Path dir = config.resolve("certificates");
        Files.createDirectories(dir);
        Files.write(dir.resolve("node.p12"), NodeCertificate.generate("node1", NOW, "some password".toCharArray()));

        QuantixException e = assertThrows(QuantixException.class, () -> new NodeCertificate(dir, CLOCK, "node1"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(Files.exists(dir.resolve("node.p12")));
    }

    @Test
    void passwordFileReadableByOthersIsRefused() throws IOException {
        Path dir = config.resolve("certificates");
        new NodeCertificate(dir, CLOCK, "node1");
        Files.setPosixFilePermissions(dir.resolve("node.p12.pass"), PosixFilePermissions.fromString("rw-r-----"));

        QuantixException e = assertThrows(QuantixException.class, () -> new NodeCertificate(dir, CLOCK, "node1"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("node.p12.pass"), e.getMessage());
        assertTrue(!e.getMessage().contains(Files.readString(dir.resolve("node.p12.pass")).strip()));
    }

    @Test
    void wrongPasswordFailsActivation() throws IOException {
        Path dir = config.resolve("certificates");
        new NodeCertificate(dir, CLOCK, "node1");
        Files.writeString(dir.resolve("node.p12.pass"), "not the password", StandardCharsets.UTF_8);

        QuantixException e = assertThrows(QuantixException.class, () -> new NodeCertificate(dir, CLOCK, "node1"));
        assertEquals(ErrorCode.INTERNAL, e.code());
    }
}
