package io.quantix.itests;

import io.quantix.api.NetworkPort;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A network namespace standing in for a VM's NIC: a veth pair whose host end is plugged into br-int with the port's
 * id as {@code iface-id} (what libvirt does with a real guest's tap), the port's MAC and address inside, checksum
 * offload off (the userspace datapath's conntrack drops packets with offloaded checksums). Busybox serves and
 * connects. Every step waits for what the next one needs (the port bound, the server listening), so that a probe
 * that fails means the network said no, not that it was not there yet.
 */
final class GuestNamespace implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String RUN = Long.toString(ProcessHandle.current().pid() % 10000);
    /** ovn-controller binds a port and installs its flows within a second or two on a quiet machine. */
    private static final Duration BIND_LIMIT = Duration.ofSeconds(90);
    private static final Duration LISTEN_LIMIT = Duration.ofSeconds(30);
    /** busybox nc's connect timeout: an attempt that gets no answer in this time was dropped. */
    private static final int CONNECT_SECONDS = 3;

    private final String name;
    private final String host;
    private final String address;
    private final List<Process> servers = new ArrayList<>();

    private GuestNamespace(String name, String host, String address) {
        this.name = name;
        this.host = host;
        this.address = address;
    }

    /**
     * The port's address inside the namespace, with the network's prefix length; returns once OVN reports the port
     * up, i.e. ovn-controller has bound it to this chassis and installed its flows.
     */
    static GuestNamespace plug(NetworkPort port, int prefixLength) throws Exception {
        int n = SEQ.incrementAndGet();
        GuestNamespace ns = new GuestNamespace("qxit-" + RUN + "-" + n, "qxih" + RUN + "x" + n, port.address().orElseThrow());
        String guest = "qxig" + RUN + "x" + n;
        try {
            HostCommand.run(List.of("ip", "netns", "add", ns.name));
            HostCommand.run(List.of("ip", "link", "add", ns.host, "type", "veth", "peer", "name", guest));
            HostCommand.run(List.of("ip", "link", "set", guest, "netns", ns.name));
            ns.exec("ip", "link", "set", guest, "address", port.mac());
            ns.exec("ip", "addr", "add", ns.address + "/" + prefixLength, "dev", guest);
            ns.exec("ip", "link", "set", guest, "up");
            ns.exec("ip", "link", "set", "lo", "up"); // the server's own check connects to its address through lo
            HostCommand.run(List.of("ip", "link", "set", ns.host, "up"));
            HostCommand.run(List.of("ethtool", "-K", ns.host, "tx", "off"));
            ns.exec("ethtool", "-K", guest, "tx", "off");
            PrivateOvn.vsctl("add-port", "br-int", ns.host, "--", "set", "Interface", ns.host, "external_ids:iface-id=" + port.portId());
            ns.awaitUp(port.portId());
            return ns;
        } catch (Exception | AssertionError e) {
            ns.close();
            throw e;
        }
    }

    private void awaitUp(String portId) throws Exception {
        QuantixTestSupport.await("ovn-controller to bind port " + portId + " (" + host + ") and install its flows: NB Logical_Switch_Port up",
                BIND_LIMIT, () -> {
                    String error = PrivateOvn.vsctl("get", "Interface", host, "error").strip();
                    if (!error.equals("[]")) {
                        throw new AssertionError("OVS cannot use " + host + " for port " + portId + ": " + error);
                    }
                    return PrivateOvn.nbctl("lsp-get-up", portId).strip().equals("up");
                }, () -> "OVS ofport " + PrivateOvn.vsctl("get", "Interface", host, "ofport").strip()
                        + ", SB Port_Binding chassis '" + PrivateOvn.sbctl("--bare", "--columns=chassis", "find", "Port_Binding",
                                "logical_port=" + portId).strip() + "'");
    }

    private void exec(String... argv) {
        HostCommand.run(inside(argv));
    }

    private List<String> inside(String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(argv));
        return all;
    }

    /**
     * A TCP server on the port that answers "open" to every connection; returns once it has answered one made to its
     * own address from inside the namespace (the VM reaches itself).
     */
    void serve(int port) throws Exception {
        Process server;
        try {
            server = new ProcessBuilder(inside("busybox", "nc", "-ll", "-p", Integer.toString(port), "-e", "/bin/echo", "open"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run busybox nc in " + name, e);
        }
        servers.add(server);
        AtomicReference<Attempt> last = new AtomicReference<>();
        QuantixTestSupport.await("the server in " + name + " to answer on its own address " + address + ":" + port, LISTEN_LIMIT, () -> {
            if (!server.isAlive()) {
                throw new AssertionError("the server (busybox nc -ll -p " + port + ") in " + name + " exited with " + server.exitValue());
            }
            last.set(connect(address, port));
            return last.get().outcome() == Outcome.ANSWERED;
        }, () -> "last attempt: " + last.get());
    }

    /** Retries while OVN changes flows, until a connection gets the server's answer. */
    void assertAnswered(String what, String ip, int port, Duration within) throws Exception {
        awaitOutcome(what, Outcome.ANSWERED, ip, port, within);
    }

    /**
     * Retries while OVN changes flows, until a connection attempt gets no answer at all: dropped. An error (no
     * namespace, refused, a probe that hung on a busy machine) is not taken for a drop.
     */
    void assertDropped(String what, String ip, int port, Duration within) throws Exception {
        awaitOutcome(what, Outcome.DROPPED, ip, port, within);
    }

    private void awaitOutcome(String what, Outcome expected, String ip, int port, Duration within) throws Exception {
        AtomicReference<Attempt> last = new AtomicReference<>();
        QuantixTestSupport.await(what + " (" + name + " to " + ip + ":" + port + " " + expected + ")", within, () -> {
            last.set(connect(ip, port));
            return last.get().outcome() == expected;
        }, () -> "last attempt: " + last.get() + "; port groups: " + PrivateOvn.portGroups());
    }

    /** What one connection attempt saw. */
    private enum Outcome {
        ANSWERED, DROPPED, OTHER
    }

    private record Attempt(Outcome outcome, String detail) {
        @Override
        public String toString() {
            return outcome + " (" + detail + ")";
        }
    }

    private Attempt connect(String ip, int port) {
        HostCommand.Result r;
        try {
            r = HostCommand.execute(inside("busybox", "nc", "-w", Integer.toString(CONNECT_SECONDS), ip, Integer.toString(port)),
                    Duration.ofSeconds(20));
        } catch (QuantixException e) {
            return new Attempt(Outcome.OTHER, e.getMessage());
        }
        String detail = "exit " + r.exitCode() + ", " + (r.stdout() + r.stderr()).strip();
        if (r.exitCode() == 0 && r.stdout().strip().equals("open")) {
            return new Attempt(Outcome.ANSWERED, detail);
        }
        return new Attempt(r.exitCode() != 0 && r.stderr().contains("timed out") ? Outcome.DROPPED : Outcome.OTHER, detail);
    }

    @Override
    public void close() {
        servers.forEach(Process::destroyForcibly);
        HostCommand.execute(List.of("ovs-vsctl", "--db=unix:" + PrivateOvn.dir().resolve("ovs.sock"), "--if-exists", "del-port",
                "br-int", host), Duration.ofSeconds(30));
        HostCommand.execute(List.of("ip", "netns", "del", name), Duration.ofSeconds(30));
        HostCommand.execute(List.of("ip", "link", "del", host), Duration.ofSeconds(30));
    }
}
