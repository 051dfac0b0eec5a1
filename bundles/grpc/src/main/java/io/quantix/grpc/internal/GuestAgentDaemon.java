package io.quantix.grpc.internal;

import static io.quantix.grpc.internal.Calls.empty;
import static io.quantix.grpc.internal.Calls.unary;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.GuestStatus;
import io.quantix.api.service.GuestAgentService;
import io.quantix.proto.node.v1.FilesystemCount;
import io.quantix.proto.node.v1.GuestAgentServiceGrpc;
import io.quantix.proto.node.v1.GuestAgentStatus;
import io.quantix.proto.node.v1.GuestExecRequest;
import io.quantix.proto.node.v1.GuestExecResult;
import io.quantix.proto.node.v1.GuestOs;
import io.quantix.proto.node.v1.SetGuestPasswordRequest;
import io.quantix.proto.node.v1.VMRequest;
import java.time.Duration;
import java.util.Arrays;

/** quantix.node.v1.GuestAgentService: a thin adapter over {@link GuestAgentService}, as REST's AgentResource. */
final class GuestAgentDaemon extends GuestAgentServiceGrpc.GuestAgentServiceImplBase {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final GuestAgentService agents;

    GuestAgentDaemon(GuestAgentService agents) {
        this.agents = agents;
    }

    @Override
    public void getGuestAgent(VMRequest request, StreamObserver<GuestAgentStatus> out) {
        unary(out, () -> status(agents.status(request.getName())));
    }

    @Override
    public void guestExec(GuestExecRequest request, StreamObserver<GuestExecResult> out) {
        unary(out, () -> result(agents.exec(request.getVm(), exec(request))));
    }

    @Override
    public void quiesceFilesystems(VMRequest request, StreamObserver<FilesystemCount> out) {
        unary(out, () -> FilesystemCount.newBuilder().setFilesystems(agents.freeze(request.getName())).build());
    }

    @Override
    public void thawFilesystems(VMRequest request, StreamObserver<FilesystemCount> out) {
        unary(out, () -> FilesystemCount.newBuilder().setFilesystems(agents.thaw(request.getName())).build());
    }

    @Override
    public void syncGuestTime(VMRequest request, StreamObserver<Empty> out) {
        empty(out, () -> agents.syncTime(request.getName()));
    }

    @Override
    public void setGuestPassword(SetGuestPasswordRequest request, StreamObserver<Empty> out) {
        empty(out, () -> {
            char[] password = request.getPassword().toCharArray();
            try {
                agents.setPassword(request.getVm(), request.getUser(), password);
            } finally {
                Arrays.fill(password, '\0');
            }
        });
    }

    static ExecRequest exec(GuestExecRequest request) {
        if (request.getCommandCount() == 0) {
            throw QuantixException.invalid("'command' names the program to run");
        }
        return new ExecRequest(request.getCommand(0), request.getCommandList().subList(1, request.getCommandCount()),
                request.getEnvList(), request.getStdin().toByteArray(),
                request.getTimeoutSeconds() == 0 ? DEFAULT_TIMEOUT : Duration.ofSeconds(request.getTimeoutSeconds()));
    }

    static GuestExecResult result(ExecResult r) {
        return GuestExecResult.newBuilder().setPid(r.pid()).setTimedOut(r.timedOut()).setExitCode(r.exitCode())
                .setSignal(r.signal()).setStdout(ByteString.copyFrom(r.stdout()))
                .setStderr(ByteString.copyFrom(r.stderr())).setTruncated(r.truncated()).build();
    }

    static GuestAgentStatus status(GuestStatus s) {
        GuestAgentStatus.Builder b = GuestAgentStatus.newBuilder().setKind(s.agent().kind().name())
                .setVersion(s.agent().version()).addAllCommands(s.agent().commands()).setHostname(s.hostname())
                .setOs(GuestOs.newBuilder().setId(s.os().id()).setPrettyName(s.os().prettyName())
                        .setVersion(s.os().version()).setKernelRelease(s.os().kernelRelease())
                        .setMachine(s.os().machine()));
        s.interfaces().forEach(nic -> b.addInterfaces(Protos.guestInterface(nic)));
        return b.build();
    }
}
