package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.rest.internal.TestTls.Answer;
import io.quantix.security.internal.AdminService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's VM console over real HTTPS and WebSocket to a real QEMU VNC server (QEMU with no machine: its
 * VNC server speaks RFB and checks the VNC password like any VM's), through the node's real AdminService.
 */
class ConsoleRelayTest {
    private static final String PASSWORD = "correct horse battery";
    private static final String CREDENTIALS = "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}";
    private static final String VNC_PASSWORD = "vnc4test";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private Process qemu;
    private int vncPort;
    private HttpsEndpoint server;
    private InetSocketAddress address;
    private AdminService security;

    @BeforeEach
    void start() throws Exception {
        vncPort = freeVncPort();
        Path secret = dir.resolve("vnc.secret");
        Files.writeString(secret, VNC_PASSWORD);
        qemu = new ProcessBuilder("qemu-system-x86_64", "-machine", "none", "-nodefaults", "-display", "none",
                "-object", "secret,id=vncpass,file=" + secret,
                "-vnc", "127.0.0.1:" + (vncPort - 5900) + ",password-secret=vncpass")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        awaitVnc();

        security = TestSecurity.adminService(dir);
        ConsoleRelay relay = new ConsoleRelay(vm -> ConsoleEndpoint.graphics(ConsoleType.VNC, "127.0.0.1", vncPort,
                VNC_PASSWORD, Instant.now().plusSeconds(60)), security, Clock.systemUTC());
        BrowserSessions browser = new BrowserSessions();
        List<Route> routes = new ArrayList<>(new AuthResource(security, security, browser).routes());
        routes.addAll(relay.routes());
        relay.setHandler(HttpsEndpoint.serving(new Dispatcher(routes, security, security, browser, 64 * 1024,
                java.util.Optional::empty)));
        server = HttpsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TestTls.server(dir),
                HttpsEndpoint.Limits.DEFAULT, relay);
        address = server.address();
        assertEquals(201, TestTls.call(address, "POST", "/api/v1/setup", null, CREDENTIALS).status());
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        qemu.destroy();
        if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
            qemu.destroyForcibly();
        }
        TestSecurity.clear();
    }

    @Test
    void theBrowserReachesTheVmsVncServerAndLogsInWithTheTicketsPassword() throws Exception {
        String token = login();
        JsonNode ticket = ticket(token, "web1");
        assertEquals(VNC_PASSWORD, ticket.get("password").asText());
        Rfb rfb = new Rfb();
        WebSocket socket = open(ticket.get("path").asText(), token, null, rfb);
        assertEquals("RFB 003.008\n", new String(rfb.read(12), StandardCharsets.US_ASCII));
        send(socket, "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 2}, rfb.read(2), "one security type offered: VNC authentication");
        send(socket, new byte[] {2});
        byte[] challenge = rfb.read(16);
        send(socket, vncResponse(challenge, ticket.get("password").asText()));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, rfb.read(4), "the VNC server accepted the ticket's password");
        send(socket, new byte[] {1}); // ClientInit, shared
        ByteBuffer init = ByteBuffer.wrap(rfb.read(4));
        assertTrue(init.getShort() > 0 && init.getShort() > 0, "ServerInit names a framebuffer size");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aTicketOpensOneConsoleOnlyAndOnlyForItsSessionVmAndOrigin() throws Exception {
        String token = login();
        String other = login();
        JsonNode ticket = ticket(token, "web1");
        String path = ticket.get("path").asText();
        assertEquals(401, refused(path, other, null), "another session's token");
        // the refused attempt spent the ticket: even its own session cannot use it now
        assertEquals(401, refused(path, token, null), "a spent ticket");

        assertEquals(403, refused(ticket(token, "web1").get("path").asText(), token, "https://evil.example"),
                "a page of another site");
        String forWeb1 = ticket(token, "web1").get("ticket").asText();
        assertEquals(403, refused("/api/v1/vms/web2/console/vnc?ticket=" + forWeb1, token, null), "another VM");
        assertEquals(401, refused("/api/v1/vms/web1/console/vnc?ticket=made-up", token, null), "an unknown ticket");
        assertEquals(401, TestTls.call(address, "POST", "/api/v1/vms/web1/console/ticket", null, null).status(),
                "a ticket without a session");
    }

    @Test
    void loggingOutClosesTheOpenConsole() throws Exception {
        String token = login();
        Rfb rfb = new Rfb();
        open(ticket(token, "web1").get("path").asText(), token, null, rfb);
        assertEquals("RFB 003.008\n", new String(rfb.read(12), StandardCharsets.US_ASCII));
        assertEquals(204, TestTls.call(address, "POST", "/api/v1/auth/logout", token, null).status());
        assertTrue(rfb.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS) != null,
                "the console's WebSocket was closed after its session logged out");
    }

    private String login() throws Exception {
        Answer answer = TestTls.call(address, "POST", "/api/v1/auth/login", null, CREDENTIALS);
        assertEquals(200, answer.status(), answer.body());
        return answer.field("token");
    }

    private JsonNode ticket(String token, String vm) throws Exception {
        Answer answer = TestTls.call(address, "POST", "/api/v1/vms/" + vm + "/console/ticket", token, null);
        assertEquals(200, answer.status(), answer.body());
        return Json.mapper().readTree(answer.body());
    }

    private WebSocket open(String path, String token, String origin, WebSocket.Listener listener) throws Exception {
        WebSocket.Builder builder = client().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .subprotocols("binary");
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return builder.buildAsync(URI.create("wss://127.0.0.1:" + address.getPort() + path), listener)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The HTTP status the WebSocket handshake was refused with. */
    private int refused(String path, String token, String origin) throws Exception {
        try {
            open(path, token, origin, new Rfb());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refusal) {
                return refusal.getResponse().statusCode();
            }
            throw e;
        }
        throw new AssertionError("the console opened for " + path);
    }

    private static void send(WebSocket socket, byte[] bytes) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** VNC authentication: the challenge encrypted with DES under the password, each key byte bit-reversed. */
    private static byte[] vncResponse(byte[] challenge, String password) throws Exception {
        byte[] key = new byte[8];
        byte[] raw = password.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 8 && i < raw.length; i++) {
            key[i] = (byte) (Integer.reverse(raw[i] & 0xff) >>> 24);
        }
        Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        return des.doFinal(challenge);
    }

    /** The RFB bytes the relay sends, however they are split into WebSocket messages. */
    private static final class Rfb implements WebSocket.Listener {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private int consumed;
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.write(bytes, 0, bytes.length);
            notifyAll();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        /** The next {@code n} bytes, waiting at most {@link #WAIT} for them. */
        synchronized byte[] read(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() - consumed < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + n + " RFB bytes from the relay;"
                            + " got " + (received.size() - consumed));
                }
                wait(left);
            }
            byte[] all = received.toByteArray();
            byte[] next = java.util.Arrays.copyOfRange(all, consumed, consumed + n);
            consumed += n;
            return next;
        }
    }

    private static HttpClient client() throws Exception {
        return HttpClient.newBuilder().sslContext(TestTls.trustingAll()).connectTimeout(WAIT).build();
    }

    private static int freeVncPort() throws IOException {
        for (int port = 5900 + 100 + (int) (ProcessHandle.current().pid() % 500); port < 6900; port++) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try the next display
            }
        }
        throw new IOException("no free VNC port between 5900 and 6900 on loopback");
    }

    private void awaitVnc() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), vncPort)) {
                return;
            } catch (IOException notYet) {
                if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("QEMU's VNC server did not listen on 127.0.0.1:" + vncPort + " within "
                            + WAIT.toSeconds() + " s: " + Files.readString(dir.resolve("qemu.log")));
                }
                Thread.sleep(100);
            }
        }
    }
}
