package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web console's files over real HTTPS: caching, CSP, client-side routes, gzip, and no way out of the root. */
class StaticSiteTest {
    private static final String INDEX = "<!doctype html><script type=module src=/assets/index-abc123.js></script>";
    private static final String SCRIPT = "console.log('quantix');".repeat(50);

    @TempDir
    Path dir;
    private HttpsEndpoint server;

    @BeforeEach
    void start() throws Exception {
        Path root = dir.resolve("dist");
        Files.createDirectories(root.resolve("assets"));
        Files.writeString(root.resolve("index.html"), INDEX);
        Files.writeString(root.resolve("assets/index-abc123.js"), SCRIPT);
        Files.writeString(dir.resolve("secret.txt"), "outside the root");
        StaticSite site = new StaticSite(path -> {
            Path file = root.resolve(path);
            try {
                return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        server = HttpsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TestTls.server(dir),
                HttpsEndpoint.Limits.DEFAULT, HttpsEndpoint.serving(site));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void indexIsRevalidatedAndCarriesAStrictPolicy() throws Exception {
        Response index = get("/", "");
        assertEquals(200, index.status());
        assertEquals(INDEX, index.text());
        assertEquals("no-cache", index.header("Cache-Control"));
        assertEquals("text/html; charset=utf-8", index.header("Content-Type"));
        String csp = index.header("Content-Security-Policy");
        assertTrue(csp.contains("script-src 'self';") && csp.contains("default-src 'none';"), csp);
        assertEquals(1, csp.split("unsafe", -1).length - 1, "only styles may be inline: " + csp);
        assertTrue(csp.contains("style-src 'self' 'unsafe-inline';"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("nosniff", index.header("X-Content-Type-Options"));
    }

    @Test
    void hashedAssetsAreImmutableAndGzippedForClientsThatAskForIt() throws Exception {
        Response plain = get("/assets/index-abc123.js", "");
        assertEquals(200, plain.status());
        assertEquals("public, max-age=31536000, immutable", plain.header("Cache-Control"));
        assertEquals("text/javascript; charset=utf-8", plain.header("Content-Type"));
        assertEquals(SCRIPT, plain.text());

        Response gzipped = get("/assets/index-abc123.js", "Accept-Encoding: gzip, deflate\r\n");
        assertEquals("gzip", gzipped.header("Content-Encoding"));
        assertTrue(gzipped.body().length < SCRIPT.length() / 4, "gzip did not shrink a repetitive script");
        byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes();
        assertArrayEquals(SCRIPT.getBytes(StandardCharsets.UTF_8), unzipped);
    }

    @Test
    void aClientSideRouteGetsTheIndexAndAMissingFileIs404() throws Exception {
        Response route = get("/vms/web1", "");
        assertEquals(200, route.status());
        assertEquals(INDEX, route.text());
        assertEquals("no-cache", route.header("Cache-Control"));
        assertEquals(404, get("/assets/missing-0000.js", "").status());
    }

    @Test
    void nothingOutsideTheRootIsServedAndWritesAreRefused() throws Exception {
        for (String path : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt",
                "/..%5csecret.txt"}) {
            Response escape = get(path, "");
            // Jetty refuses each of these (a path above the root, plain or %-encoded, or with a backslash) as a bad
            // request before any handler sees it; StaticSite.relative refuses them too, behind it
            assertEquals(400, escape.status(), path);
            assertTrue(!escape.text().contains("outside the root"), path);
        }
        Response post = request("POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));
    }

    @Test
    void theSitesOwnPathCheckRefusesWhatWouldLeaveTheRoot() {
        for (String path : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt",
                "/..%5csecret.txt", "/a%00b", "/%zz"}) {
            assertTrue(StaticSite.relative(path).isEmpty(), path);
        }
        assertEquals(java.util.Optional.of("assets/index-abc123.js"), StaticSite.relative("/assets/index-abc123.js"));
        assertEquals(java.util.Optional.of("index.html"), StaticSite.relative("/"));
    }

    private Response get(String path, String headers) throws Exception {
        return request("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n");
    }

    private Response request(String request) throws Exception {
        try (SSLSocket socket = TestTls.connect(server.address())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] all = socket.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            return new Response(text.substring(0, split), Arrays.copyOfRange(all, split + 4, all.length));
        }
    }

    private record Response(String head, byte[] body) {
        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return line.substring(name.length() + 1).strip();
                }
            }
            throw new AssertionError("no " + name + " header in " + head);
        }
    }
}
