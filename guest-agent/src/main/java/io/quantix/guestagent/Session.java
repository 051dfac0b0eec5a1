package io.quantix.guestagent;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quantix.agent.protocol.AgentFrames;
import io.quantix.proto.agent.v1.AgentMessage;
import io.quantix.proto.agent.v1.Done;
import io.quantix.proto.agent.v1.FileDone;
import io.quantix.proto.agent.v1.FileOpen;
import io.quantix.proto.agent.v1.HelloReply;
import io.quantix.proto.agent.v1.Time;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One host connection: its reader thread decodes frames and answers what is quick or must stay in order (hello,
 * file chunks, exec input); the rest goes to the agent's bounded pool of workers, so several requests are in flight
 * and a slow one holds up no other. Every answer carries its request's id.
 */
final class Session implements Sink {
    static final int VERSION = 1;

    private final Link link;
    private final Agent agent;
    private final ExecutorService workers;
    private final Transfers transfers;
    private final Object writeLock = new Object();
    private volatile boolean open = true;

    Session(Link link, Agent agent, ExecutorService workers) {
        this.link = link;
        this.agent = agent;
        this.workers = workers;
        this.transfers = new Transfers(agent.config().maxFile());
    }

    /** Serves until the host goes away (a socket closed; a port never does). */
    void run() throws IOException {
        AgentFrames frames = new AgentFrames(AgentFrames.MAX_PAYLOAD);
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = link.read(buf)) >= 0) {
                ByteBuffer in = ByteBuffer.wrap(buf, 0, n);
                byte[] payload;
                while ((payload = frames.next(in)) != null) {
                    handle(payload);
                }
            }
        } finally {
            open = false;
            transfers.abandonAll();
            if (frames.skipped() > 0) {
                Log.info("dropped " + frames.skipped() + " bytes that were not frames");
            }
        }
    }

    @Override
    public void send(AgentMessage message) {
        byte[] frame = AgentFrames.encode(message.toByteArray());
        synchronized (writeLock) {
            if (!open) {
                return;
            }
            try {
                link.write(frame);
            } catch (IOException e) {
                open = false;
            }
        }
    }

    private void handle(byte[] payload) {
        AgentMessage m;
        try {
            m = AgentMessage.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            Log.info("a frame that is not an AgentMessage was dropped");
            return;
        }
        long id = m.getId();
        try {
            switch (m.getBodyCase()) {
                case HELLO -> {
                    if (!m.getHello().getVersionsList().contains(VERSION)) {
                        throw new AgentError(AgentError.INVALID, "this agent speaks protocol version " + VERSION);
                    }
                    send(AgentMessage.newBuilder().setId(id).setHelloReply(HelloReply.newBuilder().setVersion(VERSION)
                            .setAgentVersion(Agent.VERSION).addAllCapabilities(Agent.CAPABILITIES)
                            .setStartedUnixMs(agent.started().toEpochMilli())).build());
                }
                case FILE_OPEN -> {
                    if (m.getFileOpen().getMode() == FileOpen.Mode.WRITE) {
                        transfers.openPush(id, m.getFileOpen());
                    } else {
                        work(id, () -> transfers.pull(id, m.getFileOpen(), this));
                    }
                }
                case FILE_CHUNK -> {
                    FileDone done = transfers.chunk(id, m.getFileChunk());
                    if (done != null) {
                        send(AgentMessage.newBuilder().setId(id).setFileDone(done).build());
                    }
                }
                case FILE_CLOSE -> {
                    transfers.abandon(id);
                    done(id);
                }
                case EXEC_INPUT -> agent.execs().input(id, m.getExecInput());
                case EXEC_KILL -> {
                    agent.execs().kill(id);
                    done(id);
                }
                case EXEC_START -> agent.execs().start(id, m.getExecStart(), this);
                case TELEMETRY_REQUEST -> work(id, () -> send(AgentMessage.newBuilder().setId(id)
                        .setTelemetry(agent.telemetry().read()).build()));
                case INTERFACES_REQUEST -> work(id, () -> send(AgentMessage.newBuilder().setId(id)
                        .setInterfaces(Telemetry.interfaces()).build()));
                case TIME_REQUEST -> {
                    Instant now = Instant.now();
                    send(AgentMessage.newBuilder().setId(id).setTime(Time.newBuilder()
                            .setUnixNanos(now.getEpochSecond() * 1_000_000_000L + now.getNano())).build());
                }
                case FREEZE -> work(id, () -> send(AgentMessage.newBuilder().setId(id)
                        .setFreezeState(agent.freezer().freeze(m.getFreeze().getTimeoutMs())).build()));
                case THAW -> work(id, () -> send(AgentMessage.newBuilder().setId(id)
                        .setFreezeState(agent.freezer().thaw()).build()));
                case FREEZE_STATUS_REQUEST -> send(AgentMessage.newBuilder().setId(id)
                        .setFreezeState(agent.freezer().status()).build());
                case SET_PASSWORD -> work(id, () -> {
                    agent.system().setPassword(m.getSetPassword());
                    done(id);
                });
                case SYNC_TIME -> work(id, () -> {
                    agent.system().syncTime(m.getSyncTime().getUnixNanos());
                    done(id);
                });
                case SHUTDOWN -> {
                    // answered first: the host learns it was accepted before the guest goes down
                    done(id);
                    work(id, () -> agent.system().shutdown(m.getShutdown().getMode()));
                }
                default -> throw new AgentError(AgentError.INVALID, "not a request: " + m.getBodyCase());
            }
        } catch (AgentError e) {
            error(id, e);
        }
    }

    private void done(long id) {
        send(AgentMessage.newBuilder().setId(id).setDone(Done.getDefaultInstance()).build());
    }

    /** On a worker; refused at once when all are busy and the queue is full. */
    private void work(long id, Runnable task) {
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } catch (AgentError e) {
                    error(id, e);
                } catch (RuntimeException e) {
                    error(id, new AgentError(AgentError.BACKEND, "the agent failed: " + e));
                }
            });
        } catch (RejectedExecutionException e) {
            throw new AgentError(AgentError.BUSY, "the agent is busy: too many requests at once");
        }
    }
}
