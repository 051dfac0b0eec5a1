package io.quantix.agent.internal;

import static io.quantix.agent.internal.HostileGuestPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import io.quantix.agent.internal.HostileGuestPeer.Behaviour;
import io.quantix.agent.internal.HostileGuestPeer.Out;
import io.quantix.agent.internal.HostileGuestPeer.Request;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket transport and client against a hostile guest (HostileGuestPeer): each misbehaviour ends the call with a
 * clear error within its timeout, reads a bounded amount, and the next call finds the agent again (resynchronised)
 * once the guest behaves.
 */
class HostileGuestTest {
    private static final Duration TIMEOUT = Duration.ofMillis(800);
    private static final int MAX_LINE = 64 * 1024;

    @TempDir
    Path dir;
    private HostileGuestPeer peer;
    private QgaClient client;

    /** A well-behaved qemu-guest-agent, as far as these tests ask. */
    private static void agent(Request r, Out out) throws IOException {
        switch (r.command()) {
            case "guest-sync-delimited" -> out.synced(r);
            case "guest-ping" -> out.ok(r, JSON.createObjectNode());
            case "guest-get-host-name" -> out.ok(r, JSON.createObjectNode().put("host-name", "honest-guest"));
            default -> out.error(r, "CommandNotFound", "The command " + r.command() + " has not been found");
        }
    }

    /** Misbehaves on the first ping only, then is the well-behaved agent. */
    private Behaviour firstPing(Behaviour misbehaviour) {
        return new Behaviour() {
            boolean done;

            @Override
            public void answer(Request r, Out out) throws IOException {
                if (!done && r.command().equals("guest-ping")) {
                    done = true;
                    misbehaviour.answer(r, out);
                } else {
                    agent(r, out);
                }
            }
        };
    }

    @BeforeEach
    void connect() throws IOException {
        peer = new HostileGuestPeer(Files.createDirectories(dir), HostileGuestTest::agent);
        client = new QgaClient(new QgaSocketTransport(peer.socket(), "vm-1", MAX_LINE), "vm-1", TIMEOUT, MAX_LINE);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
    }

    @Test
    void anHonestGuestIsSyncedOnceAndAnswers() {
        assertEquals("honest-guest", client.hostname());
        client.ping();
        assertEquals(1L, peer.commands().stream().filter("guest-sync-delimited"::equals).count(), peer.commands().toString());
    }

    @Test
    void garbageInsteadOfAReplyIsAnErrorAndTheNextCallResyncs() {
        peer.behave(firstPing((r, out) -> out.raw("\u0001\u0002}{not json at all\n")));
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
        assertFalse(e.getMessage().contains("not json"), "the guest's bytes are not echoed: " + e.getMessage());

        client.ping();
        assertEquals(2L, peer.commands().stream().filter("guest-sync-delimited"::equals).count(), peer.commands().toString());
    }

    @Test
    void garbageBeforeTheSyncAnswerIsSkipped() {
        peer.behave((r, out) -> {
            if (r.command().equals("guest-sync-delimited")) {
                out.raw("{\"return\": 1}\n\u0000\u0000garbage\n{\"half\":");
            }
            agent(r, out);
        });
        assertEquals("honest-guest", client.hostname());
    }

    @Test
    void anOversizedLineIsDroppedNotBuffered() {
        byte[] huge = new byte[MAX_LINE * 3];
        Arrays.fill(huge, (byte) 'x');
        huge[huge.length - 1] = '\n';
        peer.behave(firstPing((r, out) -> out.raw(huge)));
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("above the limit"), e.getMessage());
        client.ping();
    }

    /** Writes {@code block} over and over until {@code stop}, then answers as the honest agent. */
    private static Behaviour flood(byte[] block, CountDownLatch stop) {
        return (r, out) -> {
            try {
                while (!stop.await(0, TimeUnit.MILLISECONDS)) {
                    out.raw(block);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** The flooded call ends with a "without a reply" error after a bounded read; then the channel recovers. */
    private void floodedThenRecovers(Behaviour flooding, CountDownLatch stop) {
        peer.behave(flooding);
        try {
            QuantixException e = assertThrows(QuantixException.class, client::ping);
            assertTrue(e.code() == ErrorCode.BACKEND_ERROR && e.getMessage().contains("without a reply"),
                    e.toString());
        } finally {
            stop.countDown();
        }
        peer.behave(HostileGuestTest::agent);
        client.ping();
    }

    @Test
    void aFloodEndsTheCallAfterABoundedReadAndTheChannelRecovers() {
        CountDownLatch stop = new CountDownLatch(1);
        floodedThenRecovers(firstPing(flood("{\"return\": {}}\n".repeat(1000).getBytes(), stop)), stop);
    }

    @Test
    void aFloodInsteadOfTheSyncAnswerEndsTheCall() {
        CountDownLatch stop = new CountDownLatch(1);
        byte[] block = ("\u00ff{\"return\": 1}\n" + "x".repeat(100) + "\n").repeat(100).getBytes(StandardCharsets.ISO_8859_1);
        floodedThenRecovers(flood(block, stop), stop);
        assertEquals(1, peer.commands().stream().filter("guest-ping"::equals).count(),
                "the flooded ping was never sent, the one after was: " + peer.commands());
    }

    @Test
    void halfAMessageThenSilenceTimesOutAndTheHalfIsDropped() {
        peer.behave(firstPing((r, out) -> out.raw("{\"return\": {\"host-name\": \"hal")));
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("did not answer guest-ping in time"), e.getMessage());
        assertEquals("honest-guest", client.hostname());
    }

    @Test
    void aWrongSyncIdIsNotTakenForTheAnswer() {
        peer.behave((r, out) -> {
            if (r.command().equals("guest-sync-delimited")) {
                long id = r.arguments().get("id").asLong();
                out.raw(new byte[] {(byte) 0xFF});
                out.raw("{\"return\": " + (id + 1) + "}\n");
            } else {
                agent(r, out);
            }
        });
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
        assertFalse(peer.commands().contains("guest-ping"), "nothing is sent before the agent is in step");

        peer.behave((r, out) -> {
            if (r.command().equals("guest-sync-delimited")) {
                out.raw(new byte[] {(byte) 0xFF});
                out.raw("{\"return\": 12345}\n");
            }
            agent(r, out);
        });
        client.ping();
    }

    @Test
    void aLateReplyIsNotTakenForTheNextCallsReply() throws Exception {
        CountDownLatch late = new CountDownLatch(1);
        peer.behave(firstPing((r, out) -> {
            try {
                late.await(5, TimeUnit.SECONDS); // answers only after the host has given up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.ok(r, JSON.createObjectNode().put("host-name", "stale"));
        }));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(QuantixException.class, client::ping).code());
        late.countDown();
        assertEquals("honest-guest", client.hostname());
    }

    @Test
    void unrequestedBytesBetweenCallsMakeTheNextCallResync() throws Exception {
        client.ping();
        CountDownLatch sent = new CountDownLatch(1);
        peer.behave((r, out) -> {
            agent(r, out);
            if (r.command().equals("guest-ping")) {
                out.raw("{\"return\": \"unasked\"}\n");
                sent.countDown();
            }
        });
        client.ping();
        assertTrue(sent.await(5, TimeUnit.SECONDS), "the guest wrote its unasked line");
        peer.behave(HostileGuestTest::agent);
        assertEquals("honest-guest", client.hostname());
        assertEquals(2L, peer.commands().stream().filter("guest-sync-delimited"::equals).count(), peer.commands().toString());
    }

    @Test
    void aGuestThatHangsUpIsReconnected() throws Exception {
        client.ping();
        peer.hangUp();
        // the hang-up shows on the next call at the latest; the one after connects anew
        try {
            client.ping();
        } catch (QuantixException e) {
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.toString());
        }
        client.ping();
    }

    @Test
    void noSocketIsUnavailable() throws Exception {
        peer.close();
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("is the VM running?"), e.getMessage());
    }

    @Test
    void errorRepliesMapToCodesAndArePrintable() {
        assertEquals(ErrorCode.UNSUPPORTED, assertThrows(QuantixException.class, client::osInfo).code());
        peer.behave((r, out) -> {
            if (r.command().equals("guest-ping")) {
                out.error(r, "GenericError", "bad\nthing\u0007" + "!".repeat(1000));
            } else {
                agent(r, out);
            }
        });
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("bad thing "), e.getMessage());
        assertTrue(e.getMessage().length() < 400, "bounded: " + e.getMessage().length());
    }

    @Test
    void aReplyOfTheWrongShapeIsAnError() {
        peer.behave((r, out) -> {
            if (r.command().equals("guest-get-host-name")) {
                out.ok(r, new TextNode("a string where an object belongs"));
            } else {
                agent(r, out);
            }
        });
        QuantixException e = assertThrows(QuantixException.class, client::hostname);
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
    }
}
