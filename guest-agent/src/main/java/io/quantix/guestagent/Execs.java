package io.quantix.guestagent;

import com.google.protobuf.ByteString;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.ExecExit;
import io.quantix.proto.agent.v1.ExecInput;
import io.quantix.proto.agent.v1.ExecOutput;
import io.quantix.proto.agent.v1.ExecStart;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Programs the host runs in the guest. Each has a waiter thread and one pump per output stream, which sends what it
 * reads at once (streamed, at most {@link #CHUNK} a message); the timeout kills the program and everything it
 * started, whether or not the host is still there.
 */
final class Execs {
    static final int CHUNK = 64 * 1024;
    static final int MAX_RUNNING = 8;
    static final long MAX_TIMEOUT_MS = 3_600_000;
    /** per stream; past it output is read and dropped, and the exit says so */
    static final long MAX_OUTPUT = 64L << 20;
    /** how long the pumps may go on after the program exits (a daemon it left may hold the pipes) */
    private static final long DRAIN_MS = 2000;
    private static final byte[] EOF = new byte[0];

    private final Semaphore slots = new Semaphore(MAX_RUNNING);
    private final Map<Long, Running> running = new ConcurrentHashMap<>();

    private static final class Running {
        final Process process;
        final BlockingQueue<byte[]> input = new ArrayBlockingQueue<>(16);
        final AtomicBoolean killed = new AtomicBoolean();

        Running(Process process) {
            this.process = process;
        }

        /** The program first, so a shell cannot go on once its child dies, then all it had started. */
        void kill() {
            killed.set(true);
            List<ProcessHandle> started = process.descendants().toList();
            process.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Starts it and returns; the output and the exit follow on {@code sink}. */
    void start(long id, ExecStart s, Sink sink) {
        if (s.getPath().isEmpty() || s.getPath().indexOf('\0') >= 0) {
            throw new AgentError(AgentError.INVALID, "exec: a program path is required");
        }
        if (running.containsKey(id)) {
            throw new AgentError(AgentError.CONFLICT, "exec: request " + id + " is already running");
        }
        if (!slots.tryAcquire()) {
            throw new AgentError(AgentError.BUSY, "exec: " + MAX_RUNNING + " programs are already running");
        }
        try {
            List<String> argv = new ArrayList<>();
            argv.add(s.getPath());
            argv.addAll(s.getArgsList());
            ProcessBuilder pb = new ProcessBuilder(argv);
            for (String e : s.getEnvList()) {
                int eq = e.indexOf('=');
                if (eq < 1) {
                    throw new AgentError(AgentError.INVALID, "exec: environment entries are NAME=value");
                }
                pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AgentError(AgentError.NOT_FOUND, "exec: " + s.getPath() + " could not be started: "
                        + e.getMessage());
            }
            Running r = new Running(p);
            running.put(id, r);
            if (!s.getStdinFollows()) {
                r.input.add(s.getStdin().toByteArray());
                r.input.add(EOF);
            }
            long timeout = s.getTimeoutMs() == 0 ? MAX_TIMEOUT_MS : Math.min(s.getTimeoutMs(), MAX_TIMEOUT_MS);
            Thread waiter = new Thread(() -> await(id, r, timeout, sink), "exec-" + id);
            waiter.setDaemon(true);
            waiter.start();
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    private void await(long id, Running r, long timeoutMs, Sink sink) {
        AtomicLong[] sent = {new AtomicLong(), new AtomicLong()};
        Thread out = pump(id, r.process.getInputStream(), ExecOutput.Stream.STDOUT, sent[0], sink);
        Thread err = pump(id, r.process.getErrorStream(), ExecOutput.Stream.STDERR, sent[1], sink);
        Thread in = daemon(() -> feed(r), "exec-" + id + "-in");
        boolean timedOut = false;
        try {
            if (!r.process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                timedOut = true;
                r.kill();
                r.process.waitFor();
            }
            out.join(DRAIN_MS);
            err.join(DRAIN_MS);
        } catch (InterruptedException e) {
            r.kill();
            Thread.currentThread().interrupt();
        } finally {
            in.interrupt();
            closeQuietly(r.process.getInputStream());
            closeQuietly(r.process.getErrorStream());
            running.remove(id);
            slots.release();
        }
        // Java reports a signal's death as 128 + the signal; only for the ones it sent does the agent know it was one
        int code = r.process.exitValue();
        boolean signalled = r.killed.get() && code > 128;
        sink.send(AgentMessage.newBuilder().setId(id).setExecExit(ExecExit.newBuilder()
                .setExitCode(signalled ? -1 : code).setSignal(signalled ? code - 128 : 0).setTimedOut(timedOut)
                .setPid(r.process.pid())
                .setOutputTruncated(sent[0].get() > MAX_OUTPUT || sent[1].get() > MAX_OUTPUT)).build());
    }

    private static Thread pump(long id, InputStream from, ExecOutput.Stream stream, AtomicLong total, Sink sink) {
        return daemon(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = from.read(buf)) > 0) {
                    if (total.addAndGet(n) <= MAX_OUTPUT) {
                        sink.send(AgentMessage.newBuilder().setId(id).setExecOutput(ExecOutput.newBuilder()
                                .setStream(stream).setData(ByteString.copyFrom(buf, 0, n))).build());
                    }
                }
            } catch (IOException e) {
                // closed after the program exited
            }
        }, "exec-" + id + "-" + stream.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Writes standard input as it comes; a program that stops reading it only blocks this thread. */
    private static void feed(Running r) {
        try (OutputStream stdin = r.process.getOutputStream()) {
            while (true) {
                byte[] data = r.input.take();
                if (data == EOF) {
                    return;
                }
                stdin.write(data);
                stdin.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the program closed its input or ended
        }
    }

    void input(long id, ExecInput input) {
        Running r = running.get(id);
        if (r == null) {
            throw new AgentError(AgentError.NOT_FOUND, "exec: no program runs for request " + id);
        }
        if (!input.getData().isEmpty() && !r.input.offer(input.getData().toByteArray())
                || input.getEof() && !r.input.offer(EOF)) {
            throw new AgentError(AgentError.BUSY, "exec: the program of request " + id + " is not reading its input");
        }
    }

    void kill(long id) {
        Running r = running.get(id);
        if (r == null) {
            throw new AgentError(AgentError.NOT_FOUND, "exec: no program runs for request " + id);
        }
        r.kill();
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void closeQuietly(InputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
