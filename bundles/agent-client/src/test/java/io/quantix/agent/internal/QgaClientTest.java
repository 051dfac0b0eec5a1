package io.quantix.agent.internal;

import static io.quantix.agent.internal.HostileGuestPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.agent.internal.HostileGuestPeer.Out;
import io.quantix.agent.internal.HostileGuestPeer.Request;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FreezeStatus;
import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.ShutdownMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed calls on the wire, against a guest that answers as qemu-guest-agent does (HostileGuestPeer with an
 * in-memory agent: files, processes, freeze state), and then against one that lies or refuses.
 */
class QgaClientTest {
    private static final int MAX_LINE = 4 * 1024 * 1024;

    @TempDir
    Path dir;
    private HostileGuestPeer peer;
    private QgaClient client;
    private final Agent agent = new Agent();

    /** The guest's state and its answers. */
    private static final class Agent {
        final Map<String, ByteArrayOutputStream> files = new HashMap<>();
        final Map<Long, String> handles = new HashMap<>();
        final Map<Long, Long> positions = new HashMap<>();
        final Map<Long, ObjectNode> processes = new HashMap<>();
        boolean frozen;
        boolean corruptReads;
        String freezeError;
        long next = 100;

        void answer(Request r, Out out) throws IOException {
            JsonNode a = r.arguments();
            switch (r.command()) {
                case "guest-sync-delimited" -> out.synced(r);
                case "guest-file-open" -> {
                    String path = a.get("path").asText();
                    if (a.get("mode").asText().equals("w")) {
                        files.put(path, new ByteArrayOutputStream());
                    } else if (!files.containsKey(path)) {
                        out.error(r, "GenericError", "failed to open file '" + path + "' (mode: 'r')");
                        return;
                    }
                    handles.put(next, path);
                    positions.put(next, 0L);
                    out.ok(r, JSON.getNodeFactory().numberNode(next++));
                }
                case "guest-file-write" -> {
                    byte[] data = Base64.getDecoder().decode(a.get("buf-b64").asText());
                    files.get(handles.get(a.get("handle").asLong())).write(data);
                    out.ok(r, JSON.createObjectNode().put("count", data.length).put("eof", false));
                }
                case "guest-file-seek" -> {
                    long h = a.get("handle").asLong();
                    long size = files.get(handles.get(h)).size();
                    long position = a.get("whence").asInt() == 2 ? size + a.get("offset").asLong() : a.get("offset").asLong();
                    positions.put(h, position);
                    out.ok(r, JSON.createObjectNode().put("position", position).put("eof", position >= size));
                }
                case "guest-file-read" -> {
                    long h = a.get("handle").asLong();
                    byte[] all = files.get(handles.get(h)).toByteArray();
                    int from = (int) (long) positions.get(h);
                    int n = Math.min(a.get("count").asInt(), all.length - from);
                    byte[] chunk = Arrays.copyOfRange(all, from, from + n);
                    if (corruptReads && n > 0) {
                        chunk[0] ^= 1;
                    }
                    positions.put(h, (long) from + n);
                    out.ok(r, JSON.createObjectNode().put("count", n).put("buf-b64", Base64.getEncoder()
                            .encodeToString(chunk)).put("eof", from + n == all.length));
                }
                case "guest-file-flush", "guest-file-close" -> out.ok(r, JSON.createObjectNode());
                case "guest-exec" -> {
                    long pid = next++;
                    ObjectNode status = JSON.createObjectNode().put("exited", false);
                    String path = a.get("path").asText();
                    List<String> args = new java.util.ArrayList<>();
                    a.path("arg").forEach(x -> args.add(x.asText()));
                    if (path.equals("kill")) {
                        processes.get(Long.parseLong(args.get(1))).removeAll().put("exited", true).put("signal", 9);
                        status.put("exited", true).put("exitcode", 0);
                    } else if (path.equals("echo")) {
                        status.put("exited", true).put("exitcode", 0).put("out-data", Base64.getEncoder()
                                .encodeToString((String.join(" ", args) + "\n").getBytes(StandardCharsets.UTF_8)));
                    } else if (path.equals("false")) {
                        status.put("exited", true).put("exitcode", 1).put("err-data", Base64.getEncoder()
                                .encodeToString("no\n".getBytes(StandardCharsets.UTF_8)));
                    } // anything else runs until killed
                    processes.put(pid, status);
                    out.ok(r, JSON.createObjectNode().put("pid", pid));
                }
                case "guest-exec-status" -> out.ok(r, processes.get(a.get("pid").asLong()));
                case "guest-fsfreeze-freeze" -> {
                    if (freezeError != null) {
                        frozen = true; // frozen part of the way, then failed: what a thaw must undo
                        out.error(r, "GenericError", freezeError);
                    } else {
                        frozen = true;
                        out.ok(r, JSON.getNodeFactory().numberNode(2));
                    }
                }
                case "guest-fsfreeze-thaw" -> {
                    frozen = false;
                    out.ok(r, JSON.getNodeFactory().numberNode(2));
                }
                case "guest-fsfreeze-status" -> out.ok(r, JSON.getNodeFactory().textNode(frozen ? "frozen" : "thawed"));
                case "guest-set-user-password" -> out.error(r, "GenericError", "chpasswd rejected '"
                        + new String(Base64.getDecoder().decode(a.get("password").asText()), StandardCharsets.UTF_8) + "'");
                case "guest-shutdown" -> { } // no answer on success, as qemu-guest-agent
                case "guest-network-get-interfaces" -> {
                    ArrayNode list = JSON.createArrayNode();
                    ObjectNode eth = list.addObject().put("name", "eth0").put("hardware-address", "52:54:00:AB:CD:EF");
                    eth.putArray("ip-addresses").addObject().put("ip-address-type", "ipv4").put("ip-address", "10.1.2.3")
                            .put("prefix", 24);
                    eth.withArray("ip-addresses").addObject().put("ip-address-type", "ipv6")
                            .put("ip-address", "fe80::5054:ff:feab:cdef").put("prefix", 64);
                    list.addObject().put("name", "lo");
                    out.ok(r, list);
                }
                default -> out.error(r, "CommandNotFound", "The command " + r.command() + " has not been found");
            }
        }
    }

    @BeforeEach
    void connect() throws IOException {
        peer = new HostileGuestPeer(dir, agent::answer);
        client = new QgaClient(new QgaSocketTransport(peer.socket(), "vm-1", MAX_LINE), "vm-1",
                Duration.ofSeconds(2), MAX_LINE);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
    }

    private long sent(String command) {
        return peer.commands().stream().filter(command::equals).count();
    }

    @Test
    void execReturnsOutputExitCodeAndSendsArgsEnvAndStdin() {
        ExecResult echo = client.exec(ExecRequest.builder("echo").args("a b", "c").env("LANG", "C")
                .stdin("in".getBytes()).build());
        assertEquals("a b c\n", echo.stdoutText());
        assertEquals(0, echo.exitCode());
        JsonNode sent = peer.received().stream().filter(r -> r.command().equals("guest-exec")).findFirst()
                .orElseThrow().arguments();
        assertEquals("[\"a b\",\"c\"]", sent.get("arg").toString());
        assertEquals("[\"LANG=C\"]", sent.get("env").toString());
        assertEquals(Base64.getEncoder().encodeToString("in".getBytes()), sent.get("input-data").asText());
        assertTrue(sent.get("capture-output").asBoolean());

        ExecResult failed = client.exec(ExecRequest.builder("false").build());
        assertEquals(1, failed.exitCode());
        assertEquals("no\n", failed.stderrText());
    }

    @Test
    void execPastItsTimeoutIsKilledInTheGuest() {
        ExecResult r = client.exec(ExecRequest.builder("sleep").args("30").timeout(Duration.ofMillis(300)).build());
        assertTrue(r.timedOut());
        assertEquals(9, r.signal());
        JsonNode kill = peer.received().stream().filter(q -> q.command().equals("guest-exec")
                && q.arguments().get("path").asText().equals("kill")).findFirst().orElseThrow().arguments();
        assertEquals("[\"-KILL\",\"" + r.pid() + "\"]", kill.get("arg").toString());
    }

    @Test
    void badExecRequestsAreRefusedBeforeAnythingIsSent() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ExecRequest.builder("echo").args("a\0b").build()).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ExecRequest.builder("").build()).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ExecRequest.builder("env").env("", "x").build()).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ExecRequest.builder("cat").stdin(new byte[ExecRequest.MAX_STDIN + 1]).build()).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> ExecRequest.builder("cat").timeout(Duration.ZERO).build()).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> client.push("relative/path", new byte[1])).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> client.setUserPassword("Robert'); --", "x".toCharArray())).code());
        assertTrue(peer.commands().isEmpty(), peer.commands().toString());
    }

    @Test
    void aFileOfSeveralChunksRoundTrips() {
        byte[] content = new byte[QgaClient.CHUNK * 2 + 1234];
        new Random(1).nextBytes(content);
        var pushed = client.push("/tmp/blob", content);
        assertEquals(QgaClient.sha256(content), pushed.sha256());
        assertArrayEquals(content, agent.files.get("/tmp/blob").toByteArray());
        assertEquals(3, sent("guest-file-write"));
        var pulled = client.pull("/tmp/blob", content.length);
        assertArrayEquals(content, pulled.content());
        assertEquals(pushed.sha256(), pulled.sha256());
        assertEquals(sent("guest-file-open"), sent("guest-file-close"), "every handle is closed");
    }

    @Test
    void anEmptyFileRoundTrips() {
        assertEquals(QgaClient.sha256(new byte[0]), client.push("/tmp/empty", new byte[0]).sha256());
        assertEquals(0, client.pull("/tmp/empty", 0).content().length);
    }

    @Test
    void aGuestThatChangesTheFileIsCaughtByTheChecksum() {
        agent.corruptReads = true;
        QuantixException e = assertThrows(QuantixException.class, () -> client.push("/tmp/blob", new byte[1000]));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertEquals(sent("guest-file-open"), sent("guest-file-close"), "every handle is closed");
    }

    @Test
    void aFileAboveTheLimitIsRefusedBeforeItIsRead() {
        client.push("/tmp/big", new byte[5000]);
        long reads = sent("guest-file-read");
        QuantixException e = assertThrows(QuantixException.class, () -> client.pull("/tmp/big", 4999));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals(reads, sent("guest-file-read"));
        assertEquals(sent("guest-file-open"), sent("guest-file-close"));
    }

    @Test
    void aMissingFileIsTheGuestsError() {
        QuantixException e = assertThrows(QuantixException.class, () -> client.pull("/nope", 10));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("failed to open file '/nope'"), e.getMessage());
    }

    @Test
    void freezeThawAndStatus() {
        assertEquals(FreezeStatus.THAWED, client.freezeStatus());
        assertEquals(2, client.freeze());
        assertEquals(FreezeStatus.FROZEN, client.freezeStatus());
        assertEquals(2, client.thaw());
        assertEquals(FreezeStatus.THAWED, client.freezeStatus());
    }

    @Test
    void aFailedFreezeIsThawed() {
        agent.freezeError = "failed to freeze /data: Device or resource busy";
        QuantixException e = assertThrows(QuantixException.class, client::freeze);
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("Device or resource busy"), e.getMessage());
        assertEquals(1, sent("guest-fsfreeze-thaw"));
        assertFalse(agent.frozen);
    }

    @Test
    void aFreezeThatTimesOutIsThawedOnceTheAgentAnswers() {
        peer.behave((r, out) -> {
            if (r.command().equals("guest-fsfreeze-freeze")) {
                agent.frozen = true; // froze, but the answer never comes
            } else {
                agent.answer(r, out);
            }
        });
        QuantixException e = assertThrows(QuantixException.class, client::freeze);
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
        assertFalse(agent.frozen, "thawed after the timeout");
    }

    @Test
    void quiescedThawsWhenTheWorkFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.quiesced(() -> {
            assertTrue(agent.frozen);
            throw new IllegalStateException("snapshot failed");
        }));
        assertEquals("snapshot failed", e.getMessage());
        assertFalse(agent.frozen);
        assertEquals("done", client.quiesced(() -> "done"));
        assertFalse(agent.frozen);
    }

    @Test
    void aPasswordIsSentEncodedAndNeverEchoed() {
        QuantixException e = assertThrows(QuantixException.class,
                () -> client.setUserPassword("root", "S3cret!pw".toCharArray()));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertFalse(e.toString().contains("S3cret"), e.toString());
        assertTrue(e.getCause() == null, "no cause that could quote the guest");
        JsonNode sent = peer.received().stream().filter(r -> r.command().equals("guest-set-user-password"))
                .findFirst().orElseThrow().arguments();
        assertEquals("root", sent.get("username").asText());
        assertFalse(sent.get("crypted").asBoolean());
        assertEquals("S3cret!pw", new String(Base64.getDecoder().decode(sent.get("password").asText())));
    }

    @Test
    void shutdownIsSentWithoutWaitingAndTheNextCallResyncs() {
        client.shutdown(ShutdownMode.REBOOT);
        assertEquals(FreezeStatus.THAWED, client.freezeStatus());
        assertEquals("reboot", peer.received().stream().filter(r -> r.command().equals("guest-shutdown")).findFirst()
                .orElseThrow().arguments().get("mode").asText());
        assertEquals(2, sent("guest-sync-delimited"), "in step again after the unanswered command");
    }

    @Test
    void interfacesWithTheirAddresses() {
        List<GuestInterface> nics = client.interfaces();
        assertEquals(List.of(new GuestInterface("eth0", "52:54:00:ab:cd:ef", List.of(
                new GuestAddress(GuestAddress.Family.IPV4, "10.1.2.3", 24),
                new GuestAddress(GuestAddress.Family.IPV6, "fe80::5054:ff:feab:cdef", 64))),
                new GuestInterface("lo", "", List.of())), nics);
    }

    @Test
    void anAddressWithAnImpossiblePrefixIsAnError() {
        peer.behave((r, out) -> {
            if (r.command().equals("guest-network-get-interfaces")) {
                ArrayNode list = JSON.createArrayNode();
                list.addObject().put("name", "eth0").putArray("ip-addresses").addObject()
                        .put("ip-address-type", "ipv4").put("ip-address", "10.0.0.1").put("prefix", 99);
                out.ok(r, list);
            } else {
                agent.answer(r, out);
            }
        });
        assertEquals(ErrorCode.BACKEND_ERROR, assertThrows(QuantixException.class, client::interfaces).code());
    }
}
