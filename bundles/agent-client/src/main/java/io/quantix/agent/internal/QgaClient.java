package io.quantix.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.FileTransfer;
import io.quantix.api.agent.FreezeStatus;
import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.agent.GuestFile;
import io.quantix.api.agent.GuestInput;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.GuestOsInfo;
import io.quantix.api.agent.ShutdownMode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed calls of {@link GuestAgent} on qemu-guest-agent's commands, over either transport. Replies are the
 * guest's word: every field is checked for type and range before it becomes a record, and a reply that does not fit
 * is a BACKEND_ERROR. Logs name commands, never their arguments.
 */
final class QgaClient implements GuestAgent {
    /**
     * Chunk of a file transfer: 64 KiB (87 KiB of base64 in one message). A 256 KiB write in one message once came
     * out of a loaded TCG guest's qemu-ga as "JSON parse error" (QgaGuestIT); smaller messages keep each exchange short.
     */
    static final int CHUNK = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(QgaClient.class);
    /** how often exec polls a running program: fast at first, for short commands, then every 200 ms */
    private static final long FIRST_POLL_MS = 10;
    private static final long MAX_POLL_MS = 200;

    private final QgaTransport transport;
    private final String vm;
    private final Duration timeout;
    private final QgaJson json;

    QgaClient(QgaTransport transport, String vm, Duration timeout, int maxLine) {
        this.transport = transport;
        this.vm = vm;
        this.timeout = timeout;
        this.json = new QgaJson(maxLine);
    }

    /** The command's "return" value; an error reply becomes the matching QuantixException. */
    private JsonNode call(String command, ObjectNode arguments) {
        return call(command, arguments, false);
    }

    private JsonNode call(String command, ObjectNode arguments, boolean secret) {
        LOG.debug("{}: {}", vm, command);
        ObjectNode reply = transport.call(command, arguments, timeout);
        JsonNode error = reply.get("error");
        if (error != null) {
            throw QgaErrors.of(vm, command, error, secret);
        }
        JsonNode result = reply.get("return");
        if (result == null) {
            throw QgaJson.malformed();
        }
        return result;
    }

    @Override
    public void ping() {
        call("guest-ping", null);
    }

    @Override
    public AgentInfo info() {
        JsonNode info = object(call("guest-info", null), "guest-info");
        List<String> commands = new ArrayList<>();
        for (JsonNode c : array(info, "supported_commands")) {
            if (c.path("enabled").asBoolean(false)) {
                commands.add(text(c, "name"));
            }
        }
        return new AgentInfo(AgentInfo.Kind.QEMU_GUEST_AGENT, text(info, "version"), commands);
    }

    @Override
    public GuestOsInfo osInfo() {
        JsonNode os = object(call("guest-get-osinfo", null), "guest-get-osinfo");
        return new GuestOsInfo(optional(os, "id"), optional(os, "pretty-name"), optional(os, "version-id"),
                optional(os, "kernel-release"), optional(os, "machine"));
    }

    @Override
    public String hostname() {
        return text(object(call("guest-get-host-name", null), "guest-get-host-name"), "host-name");
    }

    @Override
    public Instant time() {
        JsonNode nanos = call("guest-get-time", null);
        if (!nanos.canConvertToLong()) {
            throw unexpected("guest-get-time");
        }
        long n = nanos.asLong();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    /** guest-set-time with the host's time: qemu-ga sets the guest's clock and then its hardware clock from it. */
    @Override
    public void syncTime() {
        Instant now = Instant.now();
        call("guest-set-time", json.object().put("time", now.getEpochSecond() * 1_000_000_000L + now.getNano()));
    }

    @Override
    public List<GuestInterface> interfaces() {
        JsonNode list = call("guest-network-get-interfaces", null);
        if (!list.isArray()) {
            throw unexpected("guest-network-get-interfaces");
        }
        List<GuestInterface> result = new ArrayList<>();
        for (JsonNode nic : list) {
            List<GuestAddress> addresses = new ArrayList<>();
            for (JsonNode a : nic.path("ip-addresses")) {
                String type = optional(a, "ip-address-type");
                GuestAddress.Family family = switch (type) {
                    case "ipv4" -> GuestAddress.Family.IPV4;
                    case "ipv6" -> GuestAddress.Family.IPV6;
                    default -> throw unexpected("guest-network-get-interfaces");
                };
                int prefix = a.path("prefix").asInt(-1);
                try {
                    addresses.add(new GuestAddress(family, text(a, "ip-address"), prefix));
                } catch (IllegalArgumentException e) {
                    throw unexpected("guest-network-get-interfaces");
                }
            }
            result.add(new GuestInterface(text(nic, "name"), optional(nic, "hardware-address").toLowerCase(Locale.ROOT),
                    addresses));
        }
        return result;
    }

    @Override
    public ExecResult exec(ExecRequest request) {
        ObjectNode args = json.object().put("path", request.path()).put("capture-output", true);
        ArrayNode arg = args.putArray("arg");
        request.args().forEach(arg::add);
        if (!request.env().isEmpty()) {
            ArrayNode env = args.putArray("env");
            request.env().forEach(env::add);
        }
        if (request.stdin().length > 0) {
            args.put("input-data", Base64.getEncoder().encodeToString(request.stdin()));
        }
        long pid = number(object(call("guest-exec", args), "guest-exec"), "pid");
        long deadline = System.nanoTime() + request.timeout().toNanos();
        long pause = FIRST_POLL_MS;
        while (true) {
            JsonNode status = status(pid);
            if (status.path("exited").asBoolean(false)) {
                return result(pid, status, false);
            }
            if (System.nanoTime() >= deadline) {
                return kill(pid);
            }
            sleep(Math.min(pause, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            pause = Math.min(MAX_POLL_MS, pause * 2);
        }
    }

    private JsonNode status(long pid) {
        return object(call("guest-exec-status", json.object().put("pid", pid)), "guest-exec-status");
    }

    /**
     * qemu-guest-agent has no command to end what guest-exec started: the guest's own kill ends it, and the status
     * is read once more, which also lets the agent forget the process.
     */
    private ExecResult kill(long pid) {
        LOG.debug("{}: guest process {} ran past its timeout: killing it", vm, pid);
        ObjectNode args = json.object().put("path", "kill").put("capture-output", true);
        args.putArray("arg").add("-KILL").add(Long.toString(pid));
        long killer = number(object(call("guest-exec", args), "guest-exec"), "pid");
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode status = status(pid);
        while (!status.path("exited").asBoolean(false)) {
            if (System.nanoTime() >= deadline) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "the guest process " + pid + " of " + vm
                        + " ran past its timeout and did not end when killed");
            }
            sleep(MAX_POLL_MS / 4);
            status = status(pid);
        }
        awaitQuietly(killer);
        return result(pid, status, true);
    }

    /** Reaps the kill command's own status so the agent does not keep it. */
    private void awaitQuietly(long pid) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !status(pid).path("exited").asBoolean(false)) {
            sleep(MAX_POLL_MS / 4);
        }
    }

    private ExecResult result(long pid, JsonNode status, boolean timedOut) {
        int signal = status.has("signal") ? (int) number(status, "signal") : 0;
        int exit = status.has("exitcode") ? (int) number(status, "exitcode") : -1;
        return new ExecResult(pid, timedOut, exit, signal, base64(status, "out-data"), base64(status, "err-data"),
                status.path("out-truncated").asBoolean(false) || status.path("err-truncated").asBoolean(false));
    }

    @Override
    public FileTransfer push(String guestPath, byte[] content) {
        GuestInput.path(guestPath);
        GuestInput.fileSize("a file pushed to a guest", content.length);
        String sent = sha256(content);
        long handle = open(guestPath, "w");
        try {
            for (int at = 0; at < content.length; at += CHUNK) {
                int n = Math.min(CHUNK, content.length - at);
                String chunk = Base64.getEncoder().encodeToString(Arrays.copyOfRange(content, at, at + n));
                JsonNode written = object(call("guest-file-write", json.object().put("handle", handle)
                        .put("buf-b64", chunk)), "guest-file-write");
                if (number(written, "count") != n) {
                    throw new QuantixException(ErrorCode.BACKEND_ERROR, "the guest wrote " + number(written, "count")
                            + " of " + n + " bytes to " + guestPath + " (is its disk full?)");
                }
            }
            call("guest-file-flush", json.object().put("handle", handle));
        } finally {
            closeQuietly(handle);
        }
        GuestFile back = pull(guestPath, content.length);
        if (!back.sha256().equals(sent)) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, guestPath + " in the guest does not hold what was sent"
                    + " (SHA-256 " + back.sha256() + ", sent " + sent + ")");
        }
        return new FileTransfer(guestPath, content.length, sent);
    }

    @Override
    public GuestFile pull(String guestPath, long maxBytes) {
        GuestInput.path(guestPath);
        GuestInput.fileSize("a file pulled from a guest", maxBytes);
        long handle = open(guestPath, "r");
        try {
            long size = seek(handle, 0, 2);
            if (size < 0) {
                throw unexpected("guest-file-seek");
            }
            if (size > maxBytes) {
                throw QuantixException.invalid(guestPath + " in the guest has " + size + " bytes, above the limit of "
                        + maxBytes);
            }
            seek(handle, 0, 0);
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
            while (true) {
                JsonNode read = object(call("guest-file-read", json.object().put("handle", handle).put("count", CHUNK)),
                        "guest-file-read");
                byte[] chunk = base64(read, "buf-b64");
                if (chunk.length != number(read, "count") || out.size() + (long) chunk.length > size) {
                    throw new QuantixException(ErrorCode.BACKEND_ERROR, guestPath + " changed in the guest while it was"
                            + " read, or the agent's reply does not add up");
                }
                out.write(chunk, 0, chunk.length);
                if (read.path("eof").asBoolean(false) || chunk.length == 0) {
                    break;
                }
            }
            if (out.size() != size) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "read " + out.size() + " bytes of " + guestPath
                        + ", which had " + size + " when opened");
            }
            byte[] content = out.toByteArray();
            return new GuestFile(guestPath, content, sha256(content));
        } finally {
            closeQuietly(handle);
        }
    }

    private long open(String guestPath, String mode) {
        JsonNode handle = call("guest-file-open", json.object().put("path", guestPath).put("mode", mode));
        if (!handle.canConvertToLong()) {
            throw unexpected("guest-file-open");
        }
        return handle.asLong();
    }

    private long seek(long handle, long offset, int whence) {
        return number(object(call("guest-file-seek", json.object().put("handle", handle).put("offset", offset)
                .put("whence", whence)), "guest-file-seek"), "position");
    }

    private void closeQuietly(long handle) {
        try {
            call("guest-file-close", json.object().put("handle", handle));
        } catch (QuantixException e) {
            LOG.warn("{}: could not close guest file handle {}: {}", vm, handle, e.getMessage());
        }
    }

    @Override
    public int freeze() {
        try {
            return (int) count(call("guest-fsfreeze-freeze", null), "guest-fsfreeze-freeze");
        } catch (QuantixException e) {
            // the freeze may have frozen some filesystems before it failed or timed out: never leave them frozen
            thawAfter(e);
            throw e;
        }
    }

    private void thawAfter(QuantixException cause) {
        try {
            thaw();
        } catch (QuantixException e) {
            cause.addSuppressed(e);
            LOG.warn("{}: thaw after a failed freeze failed too: {}", vm, e.getMessage());
        }
    }

    @Override
    public int thaw() {
        return (int) count(call("guest-fsfreeze-thaw", null), "guest-fsfreeze-thaw");
    }

    @Override
    public FreezeStatus freezeStatus() {
        return switch (call("guest-fsfreeze-status", null).asText("")) {
            case "thawed" -> FreezeStatus.THAWED;
            case "frozen" -> FreezeStatus.FROZEN;
            default -> throw unexpected("guest-fsfreeze-status");
        };
    }

    @Override
    public void setUserPassword(String user, char[] password) {
        GuestInput.user(user);
        GuestInput.password(password);
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        Arrays.fill(utf8.array(), (byte) 0);
        try {
            call("guest-set-user-password", json.object().put("username", user)
                    .put("password", Base64.getEncoder().encodeToString(bytes)).put("crypted", false), true);
        } catch (QuantixException e) {
            // the cause (a libvirt error, say) may quote the guest, which may quote the password: keep only the code
            throw new QuantixException(e.code(), "could not set the password of " + user + " in " + vm + " ("
                    + e.code() + ")");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public void shutdown(ShutdownMode mode) {
        LOG.debug("{}: guest-shutdown {}", vm, mode);
        transport.send("guest-shutdown", json.object().put("mode", mode.wire()), timeout);
    }

    @Override
    public void close() {
        transport.close();
    }

    private static long count(JsonNode n, String command) {
        if (!n.canConvertToLong() || n.asLong() < 0) {
            throw unexpected(command);
        }
        return n.asLong();
    }

    private static JsonNode object(JsonNode n, String command) {
        if (!n.isObject()) {
            throw unexpected(command);
        }
        return n;
    }

    private static Iterable<JsonNode> array(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isArray()) {
            throw unexpected(field);
        }
        return n;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw unexpected(field);
        }
        return n.asText();
    }

    private static String optional(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n != null && n.isTextual() ? n.asText() : "";
    }

    private static long number(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw unexpected(field);
        }
        return n.asLong();
    }

    private static byte[] base64(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(n.asText(""));
        } catch (IllegalArgumentException e) {
            throw unexpected(field);
        }
    }

    private static QuantixException unexpected(String what) {
        return new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent's reply does not fit the protocol ("
                + what + ")");
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "interrupted while waiting for the guest");
        }
    }
}
