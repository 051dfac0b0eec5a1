package io.quantix.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.AgentInfo;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.agent.GuestAddress;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.agent.GuestOsInfo;
import io.quantix.api.agent.GuestStatus;
import io.quantix.proto.node.v1.GuestAgentStatus;
import io.quantix.proto.node.v1.GuestExecRequest;
import io.quantix.proto.node.v1.GuestExecResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The messages of quantix.node.v1.GuestAgentService carry what the service takes and answers, field for field. */
class GuestAgentDaemonTest {
    @Test
    void anExecMessageBecomesTheRequestAndItsResultComesBack() {
        ExecRequest r = GuestAgentDaemon.exec(GuestExecRequest.newBuilder().setVm("web").addCommand("sh")
                .addCommand("-c").addCommand("cat").addEnv("A=b").setStdin(ByteString.copyFromUtf8("in"))
                .setTimeoutSeconds(7).build());
        assertEquals("sh", r.path());
        assertEquals(List.of("-c", "cat"), r.args());
        assertEquals(List.of("A=b"), r.env());
        assertArrayEquals("in".getBytes(), r.stdin());
        assertEquals(Duration.ofSeconds(7), r.timeout());
        assertEquals(Duration.ofSeconds(30), GuestAgentDaemon.exec(GuestExecRequest.newBuilder().addCommand("true")
                .build()).timeout(), "0 is the default");
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> GuestAgentDaemon.exec(GuestExecRequest.newBuilder().setVm("web").build())).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class,
                () -> GuestAgentDaemon.exec(GuestExecRequest.newBuilder().addCommand("ls").addEnv("NOVALUE").build()))
                .code());

        GuestExecResult out = GuestAgentDaemon.result(new ExecResult(42, true, -1, 9, "o".getBytes(), "e".getBytes(),
                true));
        assertEquals(42, out.getPid());
        assertTrue(out.getTimedOut() && out.getTruncated());
        assertEquals(-1, out.getExitCode());
        assertEquals(9, out.getSignal());
        assertEquals("o", out.getStdout().toStringUtf8());
        assertEquals("e", out.getStderr().toStringUtf8());
    }

    @Test
    void theStatusKeepsEveryAddress() {
        GuestAgentStatus s = GuestAgentDaemon.status(new GuestStatus(
                new AgentInfo(AgentInfo.Kind.QEMU_GUEST_AGENT, "7.2.19", List.of("guest-ping", "guest-exec")),
                new GuestOsInfo("debian", "Debian GNU/Linux 12", "12", "6.1.0-amd64", "x86_64"), "web1",
                List.of(new GuestInterface("eth0", "52:54:00:00:00:01", List.of(
                        new GuestAddress(GuestAddress.Family.IPV4, "192.0.2.10", 24),
                        new GuestAddress(GuestAddress.Family.IPV6, "2001:db8::10", 64))))));
        assertEquals("QEMU_GUEST_AGENT", s.getKind());
        assertEquals(List.of("guest-ping", "guest-exec"), s.getCommandsList());
        assertEquals("6.1.0-amd64", s.getOs().getKernelRelease());
        assertEquals("web1", s.getHostname());
        assertEquals("2001:db8::10", s.getInterfaces(0).getAddresses(1).getAddress());
        assertTrue(s.getInterfaces(0).getAddresses(1).getIpv6());
        assertEquals(24, s.getInterfaces(0).getAddresses(0).getPrefix());
    }
}
