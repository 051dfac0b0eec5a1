package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST server's limits against hostile clients, on a real JDK HttpsServer started the way {@link RestServer}
 * starts it. This JVM runs with a 2 s request time and 4 connections at most (the pom's surefire settings), so
 * the outcome shows quickly; the assertions are about the outcome (the connection is closed), not its timing.
 */
class RestServerLimitsTest {
    private static final byte[] REQUEST = "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    @TempDir
    Path dir;
    private HttpsServer server;
    private ExecutorService executor;
    private InetSocketAddress address;
    private final List<SSLSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        executor = Executors.newFixedThreadPool(8);
        server = RestServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TestTls.server(dir),
                exchange -> {
                    byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(200, ok.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(ok);
                    }
                }, executor);
        address = server.getAddress();
    }

    @AfterEach
    void stop() throws IOException {
        for (SSLSocket socket : sockets) {
            socket.close();
        }
        server.stop(0);
        executor.shutdownNow();
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
                + (head.length - 4) + " s, past its 2 s request time");
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

        SSLSocket surplus = TestTls.connect(address);
        sockets.add(surplus);
        boolean closed;
        try {
            surplus.startHandshake();
            surplus.getOutputStream().write(REQUEST);
            surplus.getOutputStream().flush();
            closed = surplus.getInputStream().read() == -1; // an answer's first byte means it was served
        } catch (SocketTimeoutException unanswered) {
            closed = false;
        } catch (IOException refused) {
            closed = true;
        }
        assertTrue(closed, "a fifth connection was served while four were open and the limit is four");
    }

    @Test
    void boundsTheOperatorSetAreKeptAndTheOthersSet() {
        assertEquals("2", System.getProperty("sun.net.httpserver.maxReqTime"));
        assertEquals("30", System.getProperty("sun.net.httpserver.idleInterval"));
    }

    private SSLSocket open() throws Exception {
        SSLSocket socket = TestTls.connect(address);
        sockets.add(socket);
        socket.startHandshake();
        return socket;
    }
}
