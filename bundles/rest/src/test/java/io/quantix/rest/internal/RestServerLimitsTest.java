package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST server's limits against hostile clients, on the real HTTPS listener {@link RestServer} uses. Here with
 * a 2 s request head time and 4 connections at most, so the outcome shows quickly; the assertions are about the
 * outcome (the connection is closed, the surplus client is not served), not its timing.
 */
class RestServerLimitsTest {
    private static final HttpsEndpoint.Limits LIMITS = new HttpsEndpoint.Limits(8, 4, Duration.ofSeconds(30),
            Duration.ofSeconds(2));
    private static final byte[] REQUEST = "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    @TempDir
    Path dir;
    private HttpsEndpoint server;
    private InetSocketAddress address;
    private final List<SSLSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TestTls.server(dir),
                LIMITS, HttpsEndpoint.serving(exchange -> exchange.send(200, "ok".getBytes(StandardCharsets.US_ASCII))));
        address = server.address();
    }

    @AfterEach
    void stop() throws IOException {
        for (SSLSocket socket : sockets) {
            socket.close();
        }
        server.close();
    }

    @Test
    void aClientSendingItsHeadersOneBytePerSecondIsCutOff() throws Exception {
        SSLSocket slow = open();
        byte[] head = ("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "a".repeat(60) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        slow.setSoTimeout(1000); // the one-second wait for an answer is what paces the bytes
        OutputStream out = slow.getOutputStream();
        InputStream in = slow.getInputStream();
        boolean closed = false;
        for (int i = 0; i < head.length - 4 && !closed; i++) {
            try {
                out.write(head[i]);
                out.flush();
                closed = in.read() == -1;
            } catch (SocketTimeoutException stillOpen) {
                // no answer within the second: send the next byte
            } catch (IOException reset) {
                closed = true;
            }
        }
        assertTrue(closed, "the server kept a connection open that sent one header byte per second for "
                + (head.length - 4) + " s, past its 2 s request head time");
    }

    @Test
    void connectionsBeyondTheLimitAreClosed() throws Exception {
        // four clients that made a request and keep their connection alive, idle
        for (int i = 0; i < 4; i++) {
            SSLSocket idle = open();
            idle.getOutputStream().write(REQUEST);
            idle.getOutputStream().flush();
            byte[] answer = new byte[256];
            int n = idle.getInputStream().read(answer);
            assertTrue(n > 0 && new String(answer, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"),
                    "keep-alive client " + i + " got an answer");
        }

        // the surplus connection waits in the kernel's backlog: it is neither accepted nor answered while the
        // four stay open (its TLS handshake or request gets no answer within the 5 s it waits here)
        SSLSocket surplus = TestTls.connect(address);
        sockets.add(surplus);
        surplus.setSoTimeout(5000);
        boolean served;
        try {
            surplus.startHandshake();
            surplus.getOutputStream().write(REQUEST);
            surplus.getOutputStream().flush();
            served = surplus.getInputStream().read() != -1; // an answer's first byte means it was served
        } catch (IOException unansweredOrRefused) {
            served = false;
        }
        assertFalse(served, "a fifth connection was served while four were open and the limit is four");

        // the surplus client gives up and one of the four goes away: a new client is served then
        surplus.close();
        sockets.get(0).close();
        SSLSocket next = open();
        next.getOutputStream().write(REQUEST);
        next.getOutputStream().flush();
        byte[] answer = new byte[256];
        int n = next.getInputStream().read(answer);
        assertTrue(n > 0 && new String(answer, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"),
                "a connection made after one of the four closed is served");
    }

    @Test
    void requestsJettyRefusesGetTheApisErrorBody() throws Exception {
        for (String head : new String[] {
                "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "a".repeat(20_000) + "\r\n\r\n",
                "GET /../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n"}) {
            SSLSocket socket = open();
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 431") || answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("Content-Type: application/json"), answer);
            assertTrue(answer.contains("\"code\":\"INVALID_ARGUMENT\""), answer);
        }
    }

    private SSLSocket open() throws Exception {
        SSLSocket socket = TestTls.connect(address);
        sockets.add(socket);
        socket.startHandshake();
        return socket;
    }
}
