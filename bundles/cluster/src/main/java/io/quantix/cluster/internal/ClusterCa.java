package io.quantix.cluster.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
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
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The cluster's certificate authority and the X.509 work around it: an EC P-256 CA, certification requests from
 * joining nodes and the node certificates it signs, PEM in and out. As in the security bundle's NodeCertificate,
 * BouncyCastle builds structures only; keys and signatures come from the JDK's providers.
 */
final class ClusterCa {
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration NODE_VALIDITY = Duration.ofDays(825);
    /** Certificates start an hour in the past so that a member whose clock lags a little accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final X509Certificate certificate;
    private final PrivateKey key;

    ClusterCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A new CA for the cluster {@code clusterName}. */
    static ClusterCa create(String clusterName, Instant now) {
        try {
            KeyPair keys = newKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Quantix")
                    .addRDN(BCStyle.CN, "Quantix cluster " + clusterName + " CA").build();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new ClusterCa(sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw internal("cannot create the cluster's certificate authority", e);
        }
    }

    X509Certificate certificate() {
        return certificate;
    }

    PrivateKey key() {
        return key;
    }

    String fingerprint() {
        return fingerprint(certificate);
    }

    /**
     * Signs a node certificate for the key in {@code csrPem}, for TLS in both directions. The subject is the node's
     * id (what the cluster knows it by), whatever the request asked; its addresses are the subject alternative names.
     */
    X509Certificate sign(String csrPem, String nodeId, List<String> addresses, Instant now) {
        PKCS10CertificationRequest csr = parseCsr(csrPem);
        try {
            // the JDK's key factories by algorithm name: BouncyCastle's converters ask for OIDs, which they do not know
            PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
                throw QuantixException.invalid("the certification request's signature does not match its key");
            }
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Quantix").addRDN(BCStyle.CN, nodeId).build();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(NODE_VALIDITY)), subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(addresses));
            return sign(builder, key);
        } catch (IOException | GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw QuantixException.invalid("cannot sign the certification request: " + e.getMessage());
        }
    }

    /** A key pair and a certification request for it, as a joining node makes them. */
    static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String csr(KeyPair keys, String nodeId) {
        try {
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, nodeId).build();
            return pem(new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .build(new JcaContentSignerBuilder(SIGNATURE).build(keys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw internal("cannot make a certification request", e);
        }
    }

    /** SHA-256 of the DER form, upper-case hex with colons, as NodeCertificate logs the node's own. */
    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw internal("cannot compute a certificate fingerprint", e);
        }
    }

    /** An in-memory keystore with the node's key and its chain up to the CA, for a TLS server or client. */
    static KeyStore keyStore(PrivateKey key, X509Certificate node, X509Certificate ca, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", key, password, new Certificate[] {node, ca});
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw internal("cannot build the node's cluster keystore", e);
        }
    }

    static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw internal("cannot write PEM", e);
        }
        return text.toString();
    }

    /** A private key as PKCS#8 PEM ({@code PRIVATE KEY}), the form the JDK's key factories read back. */
    static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static X509Certificate parseCertificate(String pem) {
        Object object = parsePem(pem, "certificate");
        if (!(object instanceof X509CertificateHolder holder)) {
            throw QuantixException.invalid("not a PEM certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (GeneralSecurityException e) {
            throw QuantixException.invalid("not a usable certificate: " + e.getMessage());
        }
    }

    static PrivateKey parseKey(String pem) {
        Object object = parsePem(pem, "private key");
        PrivateKeyInfo info = object instanceof org.bouncycastle.openssl.PEMKeyPair pair ? pair.getPrivateKeyInfo()
                : object instanceof PrivateKeyInfo p ? p : null;
        if (info == null) {
            throw QuantixException.invalid("not a PEM private key");
        }
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw QuantixException.invalid("not a usable EC private key");
        }
    }

    private static PKCS10CertificationRequest parseCsr(String pem) {
        if (parsePem(pem, "certification request") instanceof PKCS10CertificationRequest csr) {
            return csr;
        }
        throw QuantixException.invalid("not a PEM certification request");
    }

    private static Object parsePem(String pem, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            if (object == null) {
                throw QuantixException.invalid("no PEM " + what + " found");
            }
            return object;
        } catch (IOException e) {
            throw QuantixException.invalid("not a PEM " + what + ": " + e.getMessage());
        }
    }

    private static GeneralNames alternativeNames(List<String> addresses) {
        return new GeneralNames(addresses.stream()
                .map(a -> isIp(a) ? new GeneralName(GeneralName.iPAddress, a) : new GeneralName(GeneralName.dNSName, a))
                .toArray(GeneralName[]::new));
    }

    private static boolean isIp(String address) {
        return address.matches("[0-9.]+") || address.contains(":");
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom());
    }

    private static QuantixException internal(String what, Exception e) {
        return new QuantixException(ErrorCode.INTERNAL, what + ": " + e.getMessage(), e);
    }

}
