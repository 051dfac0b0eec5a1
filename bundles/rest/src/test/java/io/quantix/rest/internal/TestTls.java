package io.quantix.rest.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real TLS server context from a key pair made by the JDK's keytool, and raw TLS client sockets: the tests
 * need to control every byte and see the moment the server closes.
 */
final class TestTls {
    private static final char[] PASSWORD = "test-password".toCharArray();

    private TestTls() {
    }

    static SSLContext server(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-alias", "node", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD)))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0 || !Files.exists(store)) {
            throw new AssertionError("keytool did not make a key pair within 60 s: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(factory.getKeyManagers(), null, null);
        return ssl;
    }

    /** A client context that trusts any certificate: the test's own server is the only peer. */
    static SSLContext trustingAll() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return ssl;
    }

    /** A raw TLS connection to the test's server, trusting its certificate. */
    static SSLSocket connect(InetSocketAddress server) throws Exception {
        SSLSocket socket = (SSLSocket) trustingAll().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Sends one request on a new connection (closed after the answer); returns status line and body. */
    static Answer call(InetSocketAddress server, String method, String path, String token, String json) throws Exception {
        try (SSLSocket socket = connect(server)) {
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + (json == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            return new Answer(Integer.parseInt(all.substring(9, 12)), split < 0 ? "" : all.substring(split + 4));
        }
    }

    record Answer(int status, String body) {
        String field(String name) {
            int at = body.indexOf("\"" + name + "\":\"");
            if (at < 0) {
                throw new AssertionError("no " + name + " in " + body);
            }
            int start = at + name.length() + 4;
            return body.substring(start, body.indexOf('"', start));
        }
    }
}
