package io.quantix.cluster.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The joining node's side of a join: HTTPS to the member's join port, trusting exactly the server whose certificate
 * is signed by the CA the token names (its SHA-256 fingerprint), and sending the token only once that is proved.
 * No other trust: not the JDK's CAs, not the host name (the fingerprint is the stronger check and a member may be
 * reached by any of its addresses).
 */
final class JoinClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private JoinClient() {
    }

    static Wire.JoinResponse join(String host, int port, byte[] caDigest, Wire.JoinRequest request) {
        PinnedCa trust = new PinnedCa(caDigest);
        String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        HttpResponse<byte[]> response;
        try {
            SSLContext tls = SSLContext.getInstance("TLSv1.3");
            tls.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
            HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(CONNECT_TIMEOUT).build();
            HttpRequest post = HttpRequest.newBuilder(URI.create("https://" + where + JoinServer.PATH)).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Wire.write(request))).build();
            response = client.send(post, HttpResponse.BodyHandlers.ofByteArray());
        } catch (GeneralSecurityException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot set up TLS for the join: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "interrupted while joining " + where);
        } catch (IOException e) {
            if (trust.mismatch.get() != null) {
                throw new QuantixException(ErrorCode.UNAUTHENTICATED, where + " is not a member of the token's cluster: "
                        + trust.mismatch.get() + "; nothing was sent");
            }
            if (e instanceof SSLHandshakeException) {
                throw new QuantixException(ErrorCode.UNAUTHENTICATED, "the TLS handshake with " + where + " failed: " + e.getMessage());
            }
            if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException || e.getCause() instanceof ConnectException) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "cannot reach " + where + " (is it a cluster member with its join port "
                        + port + " open?)");
            }
            if (e instanceof HttpTimeoutException) {
                throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, where + " did not answer the join within " + REQUEST_TIMEOUT.toSeconds() + " s");
            }
            throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the join request to " + where + " failed: " + e);
        }
        if (response.statusCode() != 200) {
            Wire.ErrorReply error;
            try {
                error = Wire.read(response.body(), Wire.ErrorReply.class);
            } catch (QuantixException e) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, where + " answered the join with HTTP " + response.statusCode());
            }
            throw new QuantixException(code(error.code()), error.message());
        }
        return Wire.read(response.body(), Wire.JoinResponse.class);
    }

    private static ErrorCode code(String name) {
        try {
            return ErrorCode.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return ErrorCode.BACKEND_ERROR;
        }
    }

    /** Trusts a chain whose leaf is signed by a certificate in it with the pinned SHA-256, a CA that signed itself. */
    static final class PinnedCa extends X509ExtendedTrustManager {
        private final byte[] caDigest;
        final AtomicReference<String> mismatch = new AtomicReference<>();

        PinnedCa(byte[] caDigest) {
            this.caDigest = caDigest.clone();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length < 2) {
                fail("it presented no CA certificate (a member sends its node certificate and the cluster CA's)");
            }
            X509Certificate leaf = chain[0];
            for (int i = 1; i < chain.length; i++) {
                X509Certificate ca = chain[i];
                if (MessageDigest.isEqual(digest(ca), caDigest)) {
                    try {
                        ca.verify(ca.getPublicKey());
                        leaf.verify(ca.getPublicKey());
                        ca.checkValidity();
                        leaf.checkValidity();
                    } catch (GeneralSecurityException e) {
                        fail("its certificate is not validly signed by the token's CA (" + e.getMessage() + ")");
                    }
                    if (ca.getBasicConstraints() < 0) {
                        fail("the certificate with the token's fingerprint is not a CA");
                    }
                    return;
                }
            }
            fail("its CA's SHA-256 fingerprint is " + HexFormat.of().formatHex(digest(chain[chain.length - 1]))
                    + ", the token names " + HexFormat.of().formatHex(caDigest));
        }

        private void fail(String why) throws CertificateException {
            mismatch.set(why);
            throw new CertificateException(why);
        }

        private static byte[] digest(X509Certificate certificate) throws CertificateException {
            return JoinTokens.sha256(certificate.getEncoded());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a joining node authenticates no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
