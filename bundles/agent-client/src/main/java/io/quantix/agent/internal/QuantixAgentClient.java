package io.quantix.agent.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecListener;
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
import io.quantix.api.agent.GuestTelemetry;
import io.quantix.api.agent.ShutdownMode;
import io.quantix.agent.protocol.AgentFrames;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.ExecOutput;
import io.quantix.proto.agent.v1.ExecStart;
import io.quantix.proto.agent.v1.FileChunk;
import io.quantix.proto.agent.v1.FileClose;
import io.quantix.proto.agent.v1.FileOpen;
import io.quantix.proto.agent.v1.FilesystemUsage;
import io.quantix.proto.agent.v1.Freeze;
import io.quantix.proto.agent.v1.FreezeState;
import io.quantix.proto.agent.v1.FreezeStatusRequest;
import io.quantix.proto.agent.v1.Hello;
import io.quantix.proto.agent.v1.InterfacesRequest;
import io.quantix.proto.agent.v1.IpAddress;
import io.quantix.proto.agent.v1.SetPassword;
import io.quantix.proto.agent.v1.Shutdown;
import io.quantix.proto.agent.v1.SyncTime;
import io.quantix.proto.agent.v1.Telemetry;
import io.quantix.proto.agent.v1.TelemetryRequest;
import io.quantix.proto.agent.v1.Thaw;
import io.quantix.proto.agent.v1.TimeRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link GuestAgent} on the Quantix agent protocol (agent.proto in {@link AgentFrames} frames) over the host end of
 * the VM's org.quantix.agent.0 channel, a Unix socket QEMU listens on. One reader thread per connection decodes
 * frames and hands each message to the call whose id it carries, so several calls are in flight (an exec streaming
 * while telemetry is read); a message for no pending call (a late answer to one abandoned at its deadline) is
 * dropped. The guest is untrusted: frames are bounded by {@link AgentFrames#MAX_PAYLOAD}, exec output and pulled
 * files by their limits, every field is checked before it becomes a record, and a half frame followed by silence
 * is given up after {@link #STALL_MS} so the stream resynchronises. Logs name requests, never their contents.
 */
final class QuantixAgentClient implements GuestAgent {
    /** Each of an exec's streams is kept up to this; the rest is counted and dropped ({@link ExecResult#truncated}). */
    static final int MAX_OUTPUT = 16 << 20;
    static final int CHUNK = 256 * 1024;
    static final long STALL_MS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(QuantixAgentClient.class);

    private final Path socket;
    private final String vm;
    private final Duration timeout;
    private final Duration freezeTimeout;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private SocketChannel channel;
    private Selector writeSelector;
    private Thread reader;
    private volatile Instant lastHeartbeat;

    /**
     * @param freezeTimeout how long the guest keeps its filesystems frozen at most, if no thaw comes
     */
    QuantixAgentClient(Path socket, String vm, Duration timeout, Duration freezeTimeout) {
        this.socket = socket;
        this.vm = vm;
        this.timeout = timeout;
        this.freezeTimeout = freezeTimeout;
    }

    /** What one request waits for; {@link #accept} is called on the reader thread for each message with its id. */
    private abstract static class Call {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        /** @return true when this message ends the call */
        abstract boolean accept(AgentMessage m);
    }

    /** A request answered by one message of the expected kind. */
    private static final class Single extends Call {
        final AgentMessage.BodyCase expected;
        volatile AgentMessage reply;

        Single(AgentMessage.BodyCase expected) {
            this.expected = expected;
        }

        @Override
        boolean accept(AgentMessage m) {
            if (m.getBodyCase() != expected) {
                done.completeExceptionally(unexpected(expected.name()));
            } else {
                reply = m;
                done.complete(null);
            }
            return true;
        }
    }

    // ---- the connection

    private synchronized SocketChannel connection() {
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        try {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            // a Unix socket connects at once or not at all
            c.connect(UnixDomainSocketAddress.of(socket));
            c.configureBlocking(false);
            Selector readSelector = Selector.open();
            c.register(readSelector, SelectionKey.OP_READ);
            writeSelector = Selector.open();
            c.register(writeSelector, 0);
            channel = c;
            reader = new Thread(() -> read(c, readSelector), "quantix-agent-" + vm);
            reader.setDaemon(true);
            reader.start();
            return c;
        } catch (IOException e) {
            throw unavailable("has no open channel (is the VM running, with the agent?): " + e.getMessage(), e);
        }
    }

    /** The reader thread: frames to calls until the channel closes. */
    private void read(SocketChannel c, Selector selector) {
        AgentFrames frames = new AgentFrames(AgentFrames.MAX_PAYLOAD);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long quietSince = System.nanoTime();
        try (selector) {
            while (c.isOpen()) {
                selector.select(STALL_MS);
                selector.selectedKeys().clear();
                in.clear();
                int n = c.read(in);
                if (n < 0) {
                    break;
                }
                in.flip();
                if (n > 0) {
                    quietSince = System.nanoTime();
                    byte[] payload;
                    while ((payload = frames.next(in)) != null) {
                        dispatch(payload);
                    }
                } else if (frames.buffered() > 0 && System.nanoTime() - quietSince > STALL_MS * 1_000_000) {
                    // a half frame, then silence: it will not be completed
                    while (frames.buffered() > 0) {
                        byte[] payload = frames.stalled();
                        if (payload != null) {
                            dispatch(payload);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("{}: agent channel: {}", vm, e.toString());
        } finally {
            if (frames.skipped() > 0) {
                LOG.warn("{}: the guest agent sent {} bytes that were not frames", vm, frames.skipped());
            }
            disconnected(c);
        }
    }

    private void dispatch(byte[] payload) {
        AgentMessage m;
        try {
            m = AgentMessage.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            LOG.debug("{}: a frame that is not an AgentMessage was dropped", vm);
            return;
        }
        if (m.getId() == 0) {
            if (m.hasHeartbeat()) {
                lastHeartbeat = Instant.now();
            }
            return;
        }
        Call call = calls.get(m.getId());
        if (call == null) {
            return;
        }
        boolean last;
        if (m.hasError()) {
            call.done.completeExceptionally(guestError(m.getError()));
            last = true;
        } else {
            try {
                last = call.accept(m);
            } catch (RuntimeException e) {
                call.done.completeExceptionally(e);
                last = true;
            }
        }
        if (last) {
            calls.remove(m.getId(), call);
        }
    }

    private synchronized void disconnected(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
        if (channel == c) {
            channel = null;
            closeQuietly(writeSelector);
            writeSelector = null;
        }
        QuantixException gone = unavailable("closed the channel", null);
        calls.values().forEach(call -> call.done.completeExceptionally(gone));
        calls.clear();
    }

    private void send(AgentMessage message, long deadline, String what) {
        byte[] payload = message.toByteArray();
        if (payload.length > AgentFrames.MAX_PAYLOAD) {
            // the guest would skip it as garbage: refused here, before anything is sent
            throw QuantixException.invalid(what + ": the request has " + payload.length + " bytes, above the"
                    + " protocol's limit of " + AgentFrames.MAX_PAYLOAD);
        }
        byte[] frame = AgentFrames.encode(payload);
        SocketChannel c = connection();
        synchronized (writeLock) {
            ByteBuffer out = ByteBuffer.wrap(frame);
            try {
                Selector selector;
                synchronized (this) {
                    selector = writeSelector;
                }
                while (out.hasRemaining()) {
                    if (c.write(out) == 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || selector == null) {
                            throw unavailable("does not read its channel (" + what + ")", null);
                        }
                        SelectionKey key = c.keyFor(selector);
                        key.interestOps(SelectionKey.OP_WRITE);
                        selector.select(Math.max(1, left / 1_000_000));
                        selector.selectedKeys().clear();
                        key.interestOps(0);
                    }
                }
            } catch (IOException e) {
                disconnected(c);
                throw unavailable("could not be written: " + e.getMessage(), e);
            }
        }
    }

    /** Sends a request and waits for {@code call} to end, at most until {@code timeout}. */
    private <C extends Call> C request(AgentMessage.Builder body, C call, Duration wait, String what) {
        long id = ids.incrementAndGet();
        long deadline = System.nanoTime() + wait.toNanos();
        LOG.debug("{}: {}", vm, what);
        calls.put(id, call);
        try {
            send(body.setId(id).build(), deadline, what);
            call.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return call;
        } catch (TimeoutException e) {
            throw unavailable("did not answer " + what + " in time", null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QuantixException q) {
                throw new QuantixException(q.code(), q.getMessage(), q);
            }
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent of " + vm + " failed " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "interrupted while waiting for the guest");
        } finally {
            calls.remove(id);
        }
    }

    private AgentMessage single(AgentMessage.Builder body, AgentMessage.BodyCase expected, String what) {
        return request(body, new Single(expected), timeout, what).reply;
    }

    // ---- the calls

    @Override
    public void ping() {
        hello();
    }

    private io.quantix.proto.agent.v1.HelloReply hello() {
        return single(AgentMessage.newBuilder().setHello(Hello.newBuilder().addVersions(1)),
                AgentMessage.BodyCase.HELLO_REPLY, "hello").getHelloReply();
    }

    @Override
    public AgentInfo info() {
        var reply = hello();
        return new AgentInfo(AgentInfo.Kind.QUANTIX, printable(reply.getAgentVersion()),
                reply.getCapabilitiesList().stream().map(QuantixAgentClient::printable).toList());
    }

    /** When the guest last sent a heartbeat on this connection, or null. */
    Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    @Override
    public GuestTelemetry telemetry() {
        Telemetry t = single(AgentMessage.newBuilder().setTelemetryRequest(TelemetryRequest.getDefaultInstance()),
                AgentMessage.BodyCase.TELEMETRY, "telemetry").getTelemetry();
        List<GuestTelemetry.Filesystem> filesystems = new ArrayList<>();
        try {
            for (FilesystemUsage f : t.getFilesystemsList()) {
                filesystems.add(new GuestTelemetry.Filesystem(printable(f.getMountpoint()), printable(f.getType()),
                        f.getTotalBytes(), f.getUsedBytes()));
            }
            return new GuestTelemetry(t.getMemoryTotalBytes(), t.getMemoryAvailableBytes(), filesystems,
                    List.of(t.getLoad1(), t.getLoad5(), t.getLoad15()), Duration.ofSeconds(t.getUptimeSeconds()),
                    os(t), printable(t.getHostname()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw unexpected("telemetry");
        }
    }

    private static GuestOsInfo os(Telemetry t) {
        return new GuestOsInfo(printable(t.getOsId()), printable(t.getOsName()), printable(t.getOsVersion()),
                printable(t.getKernel()), printable(t.getMachine()));
    }

    @Override
    public GuestOsInfo osInfo() {
        return telemetry().os();
    }

    @Override
    public String hostname() {
        return telemetry().hostname();
    }

    @Override
    public Instant time() {
        long n = single(AgentMessage.newBuilder().setTimeRequest(TimeRequest.getDefaultInstance()),
                AgentMessage.BodyCase.TIME, "time").getTime().getUnixNanos();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    @Override
    public void syncTime() {
        Instant now = Instant.now();
        single(AgentMessage.newBuilder().setSyncTime(SyncTime.newBuilder()
                .setUnixNanos(now.getEpochSecond() * 1_000_000_000L + now.getNano())),
                AgentMessage.BodyCase.DONE, "sync-time");
    }

    @Override
    public List<GuestInterface> interfaces() {
        var list = single(AgentMessage.newBuilder().setInterfacesRequest(InterfacesRequest.getDefaultInstance()),
                AgentMessage.BodyCase.INTERFACES, "interfaces").getInterfaces();
        List<GuestInterface> out = new ArrayList<>();
        try {
            for (var nic : list.getInterfacesList()) {
                List<GuestAddress> addresses = new ArrayList<>();
                for (IpAddress a : nic.getAddressesList()) {
                    GuestAddress.Family family = switch (a.getFamily()) {
                        case IPV4 -> GuestAddress.Family.IPV4;
                        case IPV6 -> GuestAddress.Family.IPV6;
                        default -> throw unexpected("interfaces");
                    };
                    addresses.add(new GuestAddress(family, printable(a.getAddress()), a.getPrefix()));
                }
                out.add(new GuestInterface(printable(nic.getName()), printable(nic.getMac()).toLowerCase(Locale.ROOT),
                        addresses));
            }
        } catch (IllegalArgumentException e) {
            throw unexpected("interfaces");
        }
        return out;
    }

    @Override
    public ExecResult exec(ExecRequest request) {
        return exec(request, (stream, chunk) -> { });
    }

    /** An exec's output, kept up to {@link #MAX_OUTPUT} a stream, then its exit. */
    private static final class Exec extends Call {
        final ExecListener listener;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        volatile boolean truncated;
        volatile io.quantix.proto.agent.v1.ExecExit exit;

        Exec(ExecListener listener) {
            this.listener = listener;
        }

        @Override
        boolean accept(AgentMessage m) {
            if (m.hasExecOutput()) {
                ExecOutput o = m.getExecOutput();
                ExecListener.Stream stream = switch (o.getStream()) {
                    case STDOUT -> ExecListener.Stream.STDOUT;
                    case STDERR -> ExecListener.Stream.STDERR;
                    default -> throw unexpected("exec output");
                };
                ByteArrayOutputStream into = stream == ExecListener.Stream.STDOUT ? out : err;
                byte[] data = o.getData().toByteArray();
                int keep = Math.min(data.length, MAX_OUTPUT - into.size());
                truncated |= keep < data.length;
                into.write(data, 0, keep);
                try {
                    listener.output(stream, data);
                } catch (RuntimeException e) {
                    LOG.warn("an exec listener failed: {}", e.toString());
                }
                return false;
            }
            if (!m.hasExecExit()) {
                throw unexpected("exec");
            }
            exit = m.getExecExit();
            done.complete(null);
            return true;
        }
    }

    @Override
    public ExecResult exec(ExecRequest request, ExecListener listener) {
        ExecStart.Builder start = ExecStart.newBuilder().setPath(request.path()).addAllArgs(request.args())
                .addAllEnv(request.env()).setStdin(ByteString.copyFrom(request.stdin()))
                .setTimeoutMs((int) request.timeout().toMillis());
        // the guest kills the program at its timeout: the host waits that long plus one call's time for the exit
        Exec e = request(AgentMessage.newBuilder().setExecStart(start), new Exec(listener),
                request.timeout().plus(timeout), "exec");
        var x = e.exit;
        return new ExecResult(x.getPid(), x.getTimedOut(), x.getExitCode(), x.getSignal(), e.out.toByteArray(),
                e.err.toByteArray(), e.truncated || x.getOutputTruncated());
    }

    @Override
    public FileTransfer push(String guestPath, byte[] content) {
        GuestInput.path(guestPath);
        GuestInput.fileSize("a file pushed to a guest", content.length);
        long id = ids.incrementAndGet();
        long deadline = System.nanoTime() + timeout.toNanos() * (1 + content.length / (4L << 20));
        Single call = new Single(AgentMessage.BodyCase.FILE_DONE);
        calls.put(id, call);
        try {
            send(AgentMessage.newBuilder().setId(id).setFileOpen(FileOpen.newBuilder().setPath(guestPath)
                    .setMode(FileOpen.Mode.WRITE).setSizeLimit(content.length)).build(), deadline, "file push");
            int at = 0;
            do {
                if (call.done.isDone()) {
                    break; // refused: the error is read below
                }
                int n = Math.min(CHUNK, content.length - at);
                send(AgentMessage.newBuilder().setId(id).setFileChunk(FileChunk.newBuilder().setOffset(at)
                        .setData(ByteString.copyFrom(content, at, n)).setLast(at + n == content.length)).build(),
                        deadline, "file push");
                at += n;
            } while (at < content.length);
            call.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(id, deadline);
            throw unavailable("did not confirm the push of " + guestPath + " in time", null);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof QuantixException q ? new QuantixException(q.code(), q.getMessage(), q)
                    : new QuantixException(ErrorCode.BACKEND_ERROR, "file push failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "interrupted while waiting for the guest");
        } finally {
            calls.remove(id);
        }
        String sent = QgaClient.sha256(content);
        var done = call.reply.getFileDone();
        String written = HexFormat.of().formatHex(done.getSha256().toByteArray());
        if (done.getSize() != content.length || !written.equals(sent)) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, guestPath + " in the guest does not hold what was sent"
                    + " (" + done.getSize() + " bytes, SHA-256 " + written + "; sent " + content.length + ", " + sent + ")");
        }
        return new FileTransfer(guestPath, content.length, sent);
    }

    private void abandon(long id, long deadline) {
        try {
            send(AgentMessage.newBuilder().setId(id).setFileClose(FileClose.getDefaultInstance()).build(),
                    Math.max(deadline, System.nanoTime() + 1_000_000_000L), "file close");
        } catch (QuantixException e) {
            LOG.debug("{}: {}", vm, e.getMessage());
        }
    }

    /** A pull's chunks, in order and within the limit, then its size and SHA-256. */
    private static final class Pull extends Call {
        final long max;
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        volatile io.quantix.proto.agent.v1.FileDone fileDone;

        Pull(long max) {
            this.max = max;
        }

        @Override
        boolean accept(AgentMessage m) {
            if (m.hasFileChunk()) {
                FileChunk c = m.getFileChunk();
                if (c.getOffset() != content.size() || content.size() + (long) c.getData().size() > max) {
                    throw new QuantixException(ErrorCode.BACKEND_ERROR, "the guest sent a chunk out of order or past"
                            + " the limit of " + max + " bytes");
                }
                content.writeBytes(c.getData().toByteArray());
                return false;
            }
            if (!m.hasFileDone()) {
                throw unexpected("file pull");
            }
            fileDone = m.getFileDone();
            done.complete(null);
            return true;
        }
    }

    @Override
    public GuestFile pull(String guestPath, long maxBytes) {
        GuestInput.path(guestPath);
        GuestInput.fileSize("a file pulled from a guest", maxBytes);
        Pull p = request(AgentMessage.newBuilder().setFileOpen(FileOpen.newBuilder().setPath(guestPath)
                .setMode(FileOpen.Mode.READ).setSizeLimit(maxBytes == 0 ? 1 : maxBytes)), new Pull(maxBytes),
                timeout.multipliedBy(1 + maxBytes / (4L << 20)), "file pull");
        byte[] content = p.content.toByteArray();
        String sha = QgaClient.sha256(content);
        if (p.fileDone.getSize() != content.length
                || !HexFormat.of().formatHex(p.fileDone.getSha256().toByteArray()).equals(sha)) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "what was read of " + guestPath + " does not match the"
                    + " size and SHA-256 the guest counted");
        }
        return new GuestFile(guestPath, content, sha);
    }

    @Override
    public int freeze() {
        try {
            return freezeState(AgentMessage.newBuilder().setFreeze(Freeze.newBuilder()
                    .setTimeoutMs((int) freezeTimeout.toMillis())), "freeze").getFilesystems();
        } catch (QuantixException e) {
            // a guest that refuses has thawed what it froze (and a refused second freeze must not thaw the first);
            // one that did not answer in time may have frozen some: thaw, or its own timer will
            if (e.code() == ErrorCode.BACKEND_UNAVAILABLE) {
                try {
                    thaw();
                } catch (QuantixException t) {
                    e.addSuppressed(t);
                }
            }
            throw e;
        }
    }

    @Override
    public int thaw() {
        return freezeState(AgentMessage.newBuilder().setThaw(Thaw.getDefaultInstance()), "thaw").getFilesystems();
    }

    @Override
    public FreezeStatus freezeStatus() {
        return freezeState(AgentMessage.newBuilder().setFreezeStatusRequest(FreezeStatusRequest.getDefaultInstance()),
                "freeze status").getFrozen() ? FreezeStatus.FROZEN : FreezeStatus.THAWED;
    }

    private FreezeState freezeState(AgentMessage.Builder body, String what) {
        return single(body, AgentMessage.BodyCase.FREEZE_STATE, what).getFreezeState();
    }

    @Override
    public void setUserPassword(String user, char[] password) {
        GuestInput.user(user);
        GuestInput.password(password);
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            single(AgentMessage.newBuilder().setSetPassword(SetPassword.newBuilder().setUser(user)
                    .setPasswordBytes(ByteString.copyFrom(utf8.duplicate()))), AgentMessage.BodyCase.DONE,
                    "set-password");
        } catch (QuantixException e) {
            // the guest's message is its own: keep only the code, so nothing it echoed reaches a log
            throw new QuantixException(e.code(), "could not set the password of " + user + " in " + vm + " ("
                    + e.code() + ")");
        } finally {
            Arrays.fill(utf8.array(), (byte) 0);
        }
    }

    @Override
    public void shutdown(ShutdownMode mode) {
        Shutdown.Mode wire = switch (mode) {
            case POWERDOWN -> Shutdown.Mode.POWERDOWN;
            case HALT -> Shutdown.Mode.HALT;
            case REBOOT -> Shutdown.Mode.REBOOT;
        };
        single(AgentMessage.newBuilder().setShutdown(Shutdown.newBuilder().setMode(wire)), AgentMessage.BodyCase.DONE,
                "shutdown");
    }

    @Override
    public void close() {
        SocketChannel c;
        synchronized (this) {
            c = channel;
        }
        if (c != null) {
            disconnected(c);
        }
    }

    /** The codes a guest may give its refusals; any other word from it is a BACKEND_ERROR. */
    private static final Set<String> GUEST_CODES = Set.of("INVALID_ARGUMENT", "NOT_FOUND", "UNSUPPORTED", "CONFLICT",
            "BACKEND_UNAVAILABLE");

    private static QuantixException guestError(io.quantix.proto.agent.v1.Error error) {
        ErrorCode code = GUEST_CODES.contains(error.getCode()) ? ErrorCode.valueOf(error.getCode())
                : ErrorCode.BACKEND_ERROR;
        return new QuantixException(code, "the guest agent: " + printable(error.getMessage()));
    }

    /** What the guest wrote, shortened, control characters (a terminal's escapes) replaced. */
    private static String printable(String s) {
        return QgaErrors.printable(s);
    }

    private static QuantixException unexpected(String what) {
        return new QuantixException(ErrorCode.BACKEND_ERROR, "the guest agent's reply does not fit the protocol ("
                + what + ")");
    }

    private QuantixException unavailable(String what, Throwable cause) {
        return new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the Quantix agent of " + vm + " " + what, cause);
    }

    private static void closeQuietly(Selector s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
