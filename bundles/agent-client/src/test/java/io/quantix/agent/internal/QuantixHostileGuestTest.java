package io.quantix.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.agent.protocol.AgentFrames;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.Error;
import io.quantix.proto.agent.v1.ExecExit;
import io.quantix.proto.agent.v1.ExecOutput;
import io.quantix.proto.agent.v1.HelloReply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Quantix agent client against a hostile guest (QuantixGuestPeer): garbage, false headers, oversized frames,
 * a half frame then silence, replies with other ids, a flood and an endless stream. Each call ends within its
 * timeout with a clear error or the right answer, what is kept is bounded, and the channel resynchronises.
 */
class QuantixHostileGuestTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    /** above the client's stall detection (a second of silence, seen within a second more) */
    private static final Duration PAST_STALL = Duration.ofSeconds(8);

    @TempDir
    Path dir;
    private QuantixGuestPeer peer;
    private QuantixAgentClient client;

    private static AgentMessage helloReply(long id) {
        return AgentMessage.newBuilder().setId(id).setHelloReply(HelloReply.newBuilder().setVersion(1)
                .setAgentVersion("peer").addCapabilities("exec")).build();
    }

    /** Answers hellos, and nothing else. */
    private static void honest(AgentMessage r, QuantixGuestPeer.Out out) throws IOException {
        if (r.hasHello()) {
            out.send(helloReply(r.getId()));
        }
    }

    private void start(QuantixGuestPeer.Behaviour b) throws IOException {
        start(b, TIMEOUT);
    }

    private void start(QuantixGuestPeer.Behaviour b, Duration timeout) throws IOException {
        peer = new QuantixGuestPeer(dir, b);
        client = new QuantixAgentClient(peer.socket(), "vm-hostile", timeout, Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void garbageFalseHeadersAndOversizedFramesAreSkipped() throws IOException {
        Random random = new Random(11);
        start((r, out) -> {
            byte[] garbage = new byte[20_000];
            random.nextBytes(garbage);
            out.raw(garbage);
            out.raw(new byte[] {'Q', 'X', 'A', 1, 0x7f, -1, -1, -1}); // 2 GiB
            out.raw(frame(new byte[AgentFrames.MAX_PAYLOAD + 1])); // a whole frame above the limit
            byte[] bad = AgentFrames.encode(helloReply(r.getId()).toByteArray());
            bad[bad.length - 1] ^= 1; // its checksum does not hold
            out.raw(bad);
            out.send(helloReply(r.getId() + 1000)); // nobody asked for this one
            out.send(helloReply(r.getId()));
        }, PAST_STALL);
        AgentInfo info = client.info();
        assertEquals(AgentInfo.Kind.QUANTIX, info.kind());
        assertEquals("peer", info.version());
        client.ping(); // and again: in step
    }

    @Test
    void aHalfFrameThenSilenceIsGivenUp() throws IOException {
        start((r, out) -> {
            // a header promising 5000 bytes, 20 of them, then the real answer and silence
            out.raw(ByteBuffer.allocate(28).put(new byte[] {'Q', 'X', 'A', 1}).putInt(5000).array());
            out.send(helloReply(r.getId()));
        }, PAST_STALL);
        client.ping();
    }

    @Test
    void anEndlessStreamEndsTheCallThenTheChannelRecovers() throws IOException {
        Random random = new Random(5);
        start((r, out) -> {
            byte[] garbage = new byte[64 * 1024];
            // bounded: 256 MiB at most, or until hushed
            for (int i = 0; i < 4096 && !out.stop; i++) {
                random.nextBytes(garbage);
                out.raw(garbage);
            }
        });
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
        peer.behave(QuantixHostileGuestTest::honest);
        peer.hush();
        client.ping();
    }

    @Test
    void aFloodOfOutputIsKeptUpToTheLimit() throws IOException {
        start((r, out) -> {
            if (!r.hasExecStart()) {
                return;
            }
            ByteString chunk = ByteString.copyFrom(new byte[60 * 1024]);
            for (int sent = 0; sent < QuantixAgentClient.MAX_OUTPUT + (4 << 20); sent += chunk.size()) {
                out.send(AgentMessage.newBuilder().setId(r.getId()).setExecOutput(ExecOutput.newBuilder()
                        .setStream(ExecOutput.Stream.STDOUT).setData(chunk)).build());
            }
            out.send(AgentMessage.newBuilder().setId(r.getId()).setExecExit(ExecExit.newBuilder().setPid(9)).build());
        });
        ExecResult r = client.exec(ExecRequest.builder("yes").build());
        assertEquals(QuantixAgentClient.MAX_OUTPUT, r.stdout().length);
        assertTrue(r.truncated());
    }

    @Test
    void aGuestsErrorCodesAreItsRefusalsOnly() throws IOException {
        start((r, out) -> out.send(AgentMessage.newBuilder().setId(r.getId()).setError(Error.newBuilder()
                .setCode("UNAUTHENTICATED").setMessage("\u001b[2Jlog in again")).build()));
        QuantixException e = assertThrows(QuantixException.class, client::ping);
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(!e.getMessage().contains("\u001b"), "no terminal escapes from the guest: " + e.getMessage());
    }

    @Test
    void noAnswerIsUnavailableAndNoSocketToo() throws IOException {
        start((r, out) -> { });
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(QuantixException.class, client::ping).code());
        try (QuantixAgentClient none = new QuantixAgentClient(dir.resolve("none.sock"), "vm-none", TIMEOUT,
                Duration.ofSeconds(60))) {
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(QuantixException.class, none::ping).code());
        }
    }

    @Test
    void aRequestAboveTheFrameLimitIsRefusedBeforeItIsSent() throws IOException {
        java.util.List<AgentMessage> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        start((r, out) -> received.add(r));
        ExecRequest huge = ExecRequest.builder("cat").stdin(new byte[ExecRequest.MAX_STDIN])
                .args("x".repeat(8192)).build();
        QuantixException e = assertThrows(QuantixException.class, () -> client.exec(huge));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(received.isEmpty(), "nothing reached the guest");
    }

    /** A frame with a checksum that holds, whatever its length. */
    private static byte[] frame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length).put(new byte[] {'Q', 'X', 'A', 1})
                .putInt(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 8 + payload.length);
        return b.putInt((int) crc.getValue()).array();
    }
}
