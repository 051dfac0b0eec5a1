package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.QuantixEvent;
import io.quantix.rest.internal.TestTls.Answer;
import io.quantix.security.internal.AdminService;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;

/**
 * Setup, password change, session revocation and the event stream over real HTTPS, against the node's real
 * AdminService (Argon2id at its production cost).
 */
class AuthEndpointsTest {
    private static final String PASSWORD = "correct horse battery";
    /** Events the publisher may send ahead of the client, far below the stream's queue of 256. */
    private static final int DEMAND = 16;
    private static final String CREDENTIALS = "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}";

    @TempDir
    Path dir;
    private HttpsEndpoint server;
    private EventStream events;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        AdminService security = TestSecurity.adminService(dir);
        // keep-alives every 30 s: a stream that ends sooner was ended by the revocation, not by a periodic check
        events = new EventStream(security, 2, Duration.ofSeconds(30));
        BrowserSessions browser = new BrowserSessions();
        List<Route> routes = new ArrayList<>(new AuthResource(security, security, browser).routes());
        routes.addAll(events.routes());
        server = HttpsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TestTls.server(dir),
                HttpsEndpoint.Limits.DEFAULT, HttpsEndpoint.serving(
                        new Dispatcher(routes, security, security, browser, 64 * 1024, java.util.Optional::empty)));
        address = server.address();
    }

    @AfterEach
    void stop() {
        events.close();
        server.close();
        TestSecurity.clear();
    }

    @Test
    void setupFromTheNodeItselfNeedsNoCodeAndWorksOnce() throws Exception {
        assertEquals(201, post("/api/v1/setup", null, CREDENTIALS).status());
        Answer again = post("/api/v1/setup", null, CREDENTIALS);
        assertEquals(409, again.status());
        assertEquals("ALREADY_EXISTS", again.field("code"));
    }

    @Test
    void revokingEverySessionEndsABusyEventStreamAtOnce() throws Exception {
        assertEquals(201, post("/api/v1/setup", null, CREDENTIALS).status());
        String streaming = login();
        String other = login();
        // Events as fast as the client takes them, never more than it can hold: the stream stays busy, and is
        // never dropped as too slow (which would end it for another reason).
        Semaphore demand = new Semaphore(DEMAND);
        Thread publisher = new Thread(() -> {
            try {
                for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    demand.acquire();
                    events.handleEvent(new Event("io/quantix/VM/STARTED", Map.of(QuantixEvent.KIND, "VM",
                            QuantixEvent.TYPE, "STARTED", QuantixEvent.SUBJECT, "web" + (i % 10),
                            QuantixEvent.MESSAGE, "started", QuantixEvent.TIMESTAMP, System.currentTimeMillis())));
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "test-event-publisher");
        try (SSLSocket stream = TestTls.connect(address)) {
            stream.getOutputStream().write(("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + streaming + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            stream.getOutputStream().flush();
            InputStream in = stream.getInputStream();
            publisher.start();
            String start = read(in, demand);
            while (!start.contains("event: io/quantix/VM/STARTED")) {
                start += read(in, demand);
            }
            assertTrue(start.startsWith("HTTP/1.1 200"), start);

            Answer revoked = post("/api/v1/auth/sessions/revoke", other, null);
            assertEquals(200, revoked.status(), revoked.body());
            assertEquals("{\"revoked\":2}", revoked.body());

            assertTrue(endsWithin(in, demand, 20), "the event stream of a revoked token still sent events 20 s after the"
                    + " revocation (keep-alive checks are 30 s apart)");
        } finally {
            publisher.interrupt();
            publisher.join(10_000);
        }
        assertEquals(401, post("/api/v1/auth/logout", streaming, null).status());
    }

    @Test
    void changingThePasswordKeepsTheCallersSessionAndEndsTheOthers() throws Exception {
        assertEquals(201, post("/api/v1/setup", null, CREDENTIALS).status());
        String caller = login();
        String other = login();

        Answer weak = post("/api/v1/auth/password", caller, "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"short\"}");
        assertEquals(400, weak.status());
        Answer wrong = post("/api/v1/auth/password", caller,
                "{\"currentPassword\":\"not the password\",\"newPassword\":\"a new long password\"}");
        assertEquals(401, wrong.status());
        assertEquals(204, post("/api/v1/auth/password", caller,
                "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"a new long password\"}").status());

        assertEquals(401, post("/api/v1/auth/logout", other, null).status());
        assertEquals(401, post("/api/v1/auth/login", null, CREDENTIALS).status());
        assertEquals(200, post("/api/v1/auth/login", null,
                "{\"username\":\"admin\",\"password\":\"a new long password\"}").status());
        assertEquals(204, post("/api/v1/auth/logout", caller, null).status());
    }

    @Test
    void aBrowserSessionIsAnHttpOnlyCookieAndItsWritesNeedTheCsrfToken() throws Exception {
        assertEquals(201, post("/api/v1/setup", null, CREDENTIALS).status());
        String login = raw("POST", "/api/v1/auth/session", null, CREDENTIALS);
        assertTrue(login.startsWith("HTTP/1.1 200"), login);
        String setCookie = header(login, "Set-Cookie");
        assertTrue(setCookie.startsWith("qx_session="), setCookie);
        for (String attribute : List.of("; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/api/v1", "; Max-Age=")) {
            assertTrue(setCookie.contains(attribute), setCookie + " lacks " + attribute);
        }
        String body = login.substring(login.indexOf("\r\n\r\n") + 4);
        assertTrue(!body.contains("\"token\""), "the session token must stay in the cookie: " + body);
        String cookie = "Cookie: " + setCookie.substring(0, setCookie.indexOf(';')) + "\r\n";
        String csrf = new Answer(200, body).field("csrfToken");

        // reads need only the cookie, and tell a reloaded page its CSRF token again
        String session = raw("GET", "/api/v1/auth/session", cookie, null);
        assertTrue(session.startsWith("HTTP/1.1 200"), session);
        assertTrue(session.contains("\"csrfToken\":\"" + csrf + "\""), session);
        assertTrue(session.contains("\"username\":\"admin\""), session);

        String change = "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"a new long password\"}";
        String without = raw("POST", "/api/v1/auth/password", cookie, change);
        assertTrue(without.startsWith("HTTP/1.1 403"), without);
        assertTrue(without.contains("\"code\":\"PERMISSION_DENIED\""), without);
        String wrong = raw("POST", "/api/v1/auth/password", cookie + "X-CSRF-Token: " + csrf.substring(1) + "x\r\n", change);
        assertTrue(wrong.startsWith("HTTP/1.1 403"), wrong);
        // nothing changed: the old password still logs in
        assertEquals(200, post("/api/v1/auth/login", null, CREDENTIALS).status());

        String with = raw("POST", "/api/v1/auth/password", cookie + "X-CSRF-Token: " + csrf + "\r\n", change);
        assertTrue(with.startsWith("HTTP/1.1 204"), with);

        String logout = raw("POST", "/api/v1/auth/logout", cookie + "X-CSRF-Token: " + csrf + "\r\n", null);
        assertTrue(logout.startsWith("HTTP/1.1 204"), logout);
        assertTrue(header(logout, "Set-Cookie").contains("Max-Age=0"), logout);
        assertTrue(raw("GET", "/api/v1/auth/session", cookie, null).startsWith("HTTP/1.1 401"));
    }

    @Test
    void bearerClientsNeedNoCsrfTokenAndACookieCannotStandInForAWrongBearer() throws Exception {
        assertEquals(201, post("/api/v1/setup", null, CREDENTIALS).status());
        String login = raw("POST", "/api/v1/auth/session", null, CREDENTIALS);
        String setCookie = header(login, "Set-Cookie");
        String cookie = "Cookie: " + setCookie.substring(0, setCookie.indexOf(';')) + "\r\n";
        // a wrong bearer token is not rescued by a valid cookie beside it
        assertTrue(raw("GET", "/api/v1/auth/session", cookie + "Authorization: Bearer nonsense\r\n", null)
                .startsWith("HTTP/1.1 401"));
        String bearer = login();
        Answer logout = post("/api/v1/auth/logout", bearer, null);
        assertEquals(204, logout.status(), logout.body());
    }

    /** One request with extra header lines; the whole answer, headers included. */
    private String raw(String method, String path, String headers, String json) throws Exception {
        try (SSLSocket socket = TestTls.connect(address)) {
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (headers == null ? "" : headers) + (json == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String header(String answer, String name) {
        for (String line : answer.substring(0, answer.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        throw new AssertionError("no " + name + " header in " + answer);
    }

    private String login() throws Exception {
        Answer answer = post("/api/v1/auth/login", null, CREDENTIALS);
        assertEquals(200, answer.status(), answer.body());
        return answer.field("token");
    }

    private Answer post(String path, String token, String json) throws Exception {
        return TestTls.call(address, "POST", path, token, json);
    }

    /** Reads the stream until the server ends it; false if it is still sending after {@code seconds}. */
    private static boolean endsWithin(InputStream in, Semaphore demand, int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                if (read(in, demand) == null) {
                    return true;
                }
            } catch (SocketTimeoutException quiet) {
                // nothing for a while: keep waiting for the end until the deadline
            }
        }
        return false;
    }

    /** What the stream sends next (null at its end); asks the publisher for as many events as it got. */
    private static String read(InputStream in, Semaphore demand) throws IOException {
        byte[] buffer = new byte[8192];
        int n = in.read(buffer);
        if (n == -1) {
            return null;
        }
        String chunk = new String(buffer, 0, n, StandardCharsets.UTF_8);
        // at least one per read: a frame split across reads must not leave the publisher waiting for ever
        int frames = Math.max(1, chunk.split("\ndata: ", -1).length - 1);
        demand.release(Math.max(0, Math.min(frames, DEMAND - demand.availablePermits())));
        return chunk;
    }
}
