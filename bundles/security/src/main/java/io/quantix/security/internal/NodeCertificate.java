package io.quantix.security.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.NodeDirectories;
import io.quantix.security.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's TLS key and certificate in {@code <config>/certificates/node.p12}, password in {@code node.p12.pass}.
 * On first start both are generated: an EC P-256 key and a self-signed certificate for the host name, localhost
 * and 127.0.0.1, valid 10 years. A file that exists is never overwritten, so a user can replace either (e.g. with
 * a CA-signed keystore) and it is used as is.
 *
 * <p>BouncyCastle only builds the certificate structure; keys, signatures and the keystore come from the JDK's
 * providers, so nothing registers BouncyCastle as a JCA provider (a JVM-wide change inside Karaf).
 */
// Immediate: the certificate exists, and its fingerprint is logged, from the first start on, before any server asks.
@Component(service = TlsMaterial.class, immediate = true)
public class NodeCertificate implements TlsMaterial {
    static final String DIRECTORY = "certificates";
    static final String KEYSTORE = "node.p12";
    static final String PASSWORD = "node.p12.pass";
    static final String ALIAS = "node";
    private static final int VALIDITY_YEARS = 10;
    /** Certificates start an hour in the past so a client whose clock lags a little accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Logger LOG = LoggerFactory.getLogger(NodeCertificate.class);

    private final Path keyStorePath;
    private final KeyStore keyStore;
    private final char[] password;

    @Activate
    public NodeCertificate() {
        this(NodeDirectories.config().resolve(DIRECTORY), Clock.systemUTC(), hostname());
    }

    NodeCertificate(Path directory, Clock clock, String hostname) {
        keyStorePath = directory.resolve(KEYSTORE);
        Path passwordPath = directory.resolve(PASSWORD);
        try {
            if (!Files.exists(passwordPath) && !Files.exists(keyStorePath)) {
                SecureFiles.write(passwordPath, newPassword().getBytes(StandardCharsets.UTF_8));
            }
            password = readPassword(passwordPath);
            if (!Files.exists(keyStorePath)) {
                SecureFiles.write(keyStorePath, generate(hostname, clock.instant(), password));
                LOG.info("Generated a self-signed TLS certificate for '{}' in {}; replace {} and {} to use your own",
                        hostname, keyStorePath, KEYSTORE, PASSWORD);
            }
            keyStore = load(keyStorePath, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot set up the TLS keystore " + keyStorePath + ": " + e.getMessage(), e);
        }
        LOG.info("TLS certificate of this node: {} (SHA-256 fingerprint {})", keyStorePath, fingerprint(keyStore));
    }

    @Override
    public Path keyStorePath() {
        return keyStorePath;
    }

    @Override
    public KeyStore keyStore() {
        return keyStore;
    }

    @Override
    public char[] password() {
        return password.clone();
    }

    @Override
    public KeyManager[] keyManagers() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, password);
            return keys.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "the node's TLS keystore cannot be used: " + e.getMessage(), e);
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n";
    }

    /** The first line of the file, without its line break, so {@code echo secret > node.p12.pass} works. */
    private static char[] readPassword(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw QuantixException.invalid(file.getParent().resolve(KEYSTORE) + " exists but " + file
                    + " does not: put the keystore password there (mode 0600)");
        }
        byte[] bytes = SecureFiles.read(file);
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        Arrays.fill(bytes, (byte) 0);
        int end = 0;
        while (end < chars.limit() && chars.get(end) != '\n' && chars.get(end) != '\r') {
            end++;
        }
        char[] password = new char[end];
        chars.get(password);
        Arrays.fill(chars.array(), '\0');
        if (password.length == 0) {
            throw QuantixException.invalid(file + " is empty: put the keystore password there");
        }
        return password;
    }

    static byte[] generate(String hostname, Instant now, char[] password) throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
        Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(VALIDITY_YEARS).toInstant();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, keys.getPublic());
        X509Certificate certificate;
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(hostname));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (CertIOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot build the certificate: " + e.getMessage(), e);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, keys.getPrivate(), password, new Certificate[] {certificate});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, password);
        return out.toByteArray();
    }

    private static GeneralNames subjectAlternativeNames(String hostname) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        if (!hostname.equalsIgnoreCase("localhost") && DNS_NAME.matcher(hostname).matches()) {
            names.add(new GeneralName(GeneralName.dNSName, hostname));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** Loads the keystore; it must hold a private key, or no server could use it. */
    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(Files.readAllBytes(file)), password);
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return store;
            }
        }
        throw QuantixException.invalid(file + " holds no private key: a server needs its key and certificate chain");
    }

    private static String fingerprint(KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                Certificate certificate = store.getCertificate(alias);
                if (store.isKeyEntry(alias) && certificate != null) {
                    byte[] der = certificate.getEncoded();
                    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
                }
            }
        } catch (GeneralSecurityException e) {
            LOG.debug("No fingerprint for the TLS certificate", e);
        }
        return "unknown";
    }

    /** The host name for the certificate; "localhost" if the host cannot name itself. */
    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            LOG.warn("Cannot determine this host's name ({}); the TLS certificate names localhost only", e.getMessage());
            return "localhost";
        }
    }
}
