package io.quantix.network.ovn.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace standing in for a VM: a veth pair whose host end is plugged into br-int with
 * {@code external_ids:iface-id=<port>} (what libvirt does for a real VM's tap), checksum offload off on both
 * ends (the userspace datapath's conntrack drops packets with offloaded checksums).
 */
final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String RUN = Long.toString(ProcessHandle.current().pid() % 10000);
    private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    /** timeout(1)'s exit status when it had to end the command. */
    private static final int TIMED_OUT = 124;
    /** What busybox nc says when no connection came about: refused, unreachable, or not accepted within -w. */
    private static final Pattern NOT_CONNECTED = Pattern.compile("can't connect|timed out");

    private final OvnEnv ovn;
    private final List<Process> servers = new ArrayList<>();
    final String name;
    private final String host;
    final String guest;

    private Netns(OvnEnv ovn, String name, String host, String guest) {
        this.ovn = ovn;
        this.name = name;
        this.host = host;
        this.guest = guest;
    }

    /** A namespace with nothing but its loopback, up: where the probes themselves are tested. */
    static Netns loopbackOnly() {
        Netns ns = new Netns(null, "qxn-" + RUN + "-" + SEQ.incrementAndGet(), null, "lo");
        HostCommand.run(List.of("ip", "netns", "add", ns.name));
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    static Netns plug(OvnEnv ovn, String portId, String mac) {
        int n = SEQ.incrementAndGet();
        Netns ns = new Netns(ovn, "qxn-" + RUN + "-" + n, "qxh" + RUN + "x" + n, "qxg" + RUN + "x" + n);
        HostCommand.run(List.of("ip", "netns", "add", ns.name));
        HostCommand.run(List.of("ip", "link", "add", ns.host, "type", "veth", "peer", "name", ns.guest));
        HostCommand.run(List.of("ip", "link", "set", ns.guest, "netns", ns.name));
        ns.exec("ip", "link", "set", ns.guest, "address", mac);
        ns.exec("ip", "link", "set", ns.guest, "up");
        ns.exec("ip", "link", "set", "lo", "up");
        HostCommand.run(List.of("ip", "link", "set", ns.host, "up"));
        HostCommand.run(List.of("ethtool", "-K", ns.host, "tx", "off"));
        ns.exec("ethtool", "-K", ns.guest, "tx", "off");
        ovn.vsctl("add-port", "br-int", ns.host, "--", "set", "Interface", ns.host, "external_ids:iface-id=" + portId);
        return ns;
    }

    /** Runs a command inside the namespace; BACKEND_ERROR if it fails. */
    String exec(String... argv) {
        return HostCommand.run(inside(argv));
    }

    HostCommand.Result tryExec(Duration timeout, String... argv) {
        return HostCommand.execute(inside(argv), timeout);
    }

    private List<String> inside(String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(argv));
        return all;
    }

    /** Asks for a lease with busybox udhcpc and configures it; answers the address (empty if none came). */
    String dhcp(Path workDir) {
        Path script = workDir.resolve("udhcpc.sh");
        try {
            if (!Files.exists(script)) {
                Files.writeString(script, """
                        #!/bin/sh
                        case "$1" in
                          bound|renew)
                            ip addr flush dev "$interface"
                            ip addr add "$ip/$mask" dev "$interface"
                            [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
                            ;;
                        esac
                        exit 0
                        """);
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tryExec(Duration.ofSeconds(40), "busybox", "udhcpc", "-i", guest, "-n", "-q", "-t", "10", "-T", "2", "-s", script.toString());
        return address();
    }

    String address() {
        Matcher m = INET.matcher(exec("ip", "-4", "addr", "show", "dev", guest));
        return m.find() ? m.group(1) : "";
    }

    /** One ping, retried while OVN installs flows; true once one answer came back within the time given. */
    boolean ping(String ip, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            if (tryExec(Duration.ofSeconds(5), "busybox", "ping", "-c", "1", "-W", "1", ip).exitCode() == 0) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** A TCP server on the port that answers "open" to every connection. */
    void serve(int port) {
        serve(port, "open");
    }

    /** A TCP server on the port that answers {@code answer} (one word) to every connection. */
    void serve(int port, String answer) {
        listen(port, "/bin/echo", answer);
    }

    /**
     * A TCP server on the port that accepts every connection and then neither answers nor closes it for a minute:
     * to its client, what a connection whose later packets an ACL drops looks like.
     */
    void serveSilently(int port) {
        listen(port, "/bin/sleep", "60");
    }

    private void listen(int port, String... program) {
        List<String> argv = new ArrayList<>(List.of("busybox", "nc", "-ll", "-p", Integer.toString(port), "-e"));
        argv.addAll(List.of(program));
        try {
            servers.add(new ProcessBuilder(inside(argv.toArray(String[]::new))).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether one TCP connection to ip:port gets the server's answer within 3 s. */
    boolean connects(String ip, int port) {
        return !ask(ip, port).isEmpty();
    }

    /**
     * The server's answer to one TCP connection, empty if none came within 3 s: refused, never accepted, or accepted
     * and then silent (an ACL that drops a connection's later packets leaves nc waiting forever: its -w bounds only
     * the connect). timeout(1) inside the namespace bounds the whole exchange, well under the command's own limit,
     * which is left for a command that really hangs; any other failure (a bad address, no namespace) is an error.
     */
    String ask(String ip, int port) {
        HostCommand.Result r = tryExec(Duration.ofSeconds(10), "timeout", "-k", "1", "3",
                "busybox", "nc", "-w", "2", ip, Integer.toString(port));
        if (r.exitCode() == 0) {
            return r.stdout().strip();
        }
        if (r.exitCode() == TIMED_OUT || NOT_CONNECTED.matcher(r.stderr()).find()) {
            return "";
        }
        throw new QuantixException(ErrorCode.BACKEND_ERROR, "probe of " + ip + ":" + port + " from " + name
                + " failed: " + r.firstErrorLine());
    }

    /** Retries while OVN installs flows: the first answer that comes within the time given, else empty. */
    String askWithin(String ip, int port, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        String answer;
        do {
            answer = ask(ip, port);
        } while (answer.isEmpty() && System.nanoTime() < deadline);
        return answer;
    }

    /** Retries while OVN installs flows: true as soon as one connection succeeds within the time given. */
    boolean connectsWithin(String ip, int port, Duration within) {
        return eventually(true, ip, port, within);
    }

    /** Retries while OVN updates flows: true as soon as one connection fails within the time given. */
    boolean blockedWithin(String ip, int port, Duration within) {
        return eventually(false, ip, port, within);
    }

    private boolean eventually(boolean connected, String ip, int port, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            if (connects(ip, port) == connected) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    @Override
    public void close() {
        servers.forEach(Process::destroyForcibly);
        if (ovn != null) {
            HostCommand.execute(List.of("ovs-vsctl", "--db=unix:" + ovn.dir.resolve("ovs.sock"), "--if-exists", "del-port",
                    "br-int", host), Duration.ofSeconds(30));
        }
        HostCommand.execute(List.of("ip", "netns", "del", name), Duration.ofSeconds(30));
        if (host != null) {
            HostCommand.execute(List.of("ip", "link", "del", host), Duration.ofSeconds(30));
        }
    }
}
