package io.quantix.itests;

import io.quantix.api.NetworkPort;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace standing in for a VM's NIC: a veth pair whose host end is plugged into br-int with the port's
 * id as {@code iface-id} (what libvirt does with a real guest's tap), the port's MAC and address inside, checksum
 * offload off (the userspace datapath's conntrack drops packets with offloaded checksums). Busybox serves and
 * connects.
 */
final class GuestNamespace implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String RUN = Long.toString(ProcessHandle.current().pid() % 10000);

    private final String name;
    private final String host;
    private final List<Process> servers = new ArrayList<>();

    private GuestNamespace(String name, String host) {
        this.name = name;
        this.host = host;
    }

    /** The port's address inside the namespace, with the network's prefix length. */
    static GuestNamespace plug(NetworkPort port, int prefixLength) {
        int n = SEQ.incrementAndGet();
        GuestNamespace ns = new GuestNamespace("qxit-" + RUN + "-" + n, "qxih" + RUN + "x" + n);
        String guest = "qxig" + RUN + "x" + n;
        HostCommand.run(List.of("ip", "netns", "add", ns.name));
        HostCommand.run(List.of("ip", "link", "add", ns.host, "type", "veth", "peer", "name", guest));
        HostCommand.run(List.of("ip", "link", "set", guest, "netns", ns.name));
        ns.exec("ip", "link", "set", guest, "address", port.mac());
        ns.exec("ip", "addr", "add", port.address().orElseThrow() + "/" + prefixLength, "dev", guest);
        ns.exec("ip", "link", "set", guest, "up");
        HostCommand.run(List.of("ip", "link", "set", ns.host, "up"));
        HostCommand.run(List.of("ethtool", "-K", ns.host, "tx", "off"));
        ns.exec("ethtool", "-K", guest, "tx", "off");
        PrivateOvn.vsctl("add-port", "br-int", ns.host, "--", "set", "Interface", ns.host, "external_ids:iface-id=" + port.portId());
        return ns;
    }

    private void exec(String... argv) {
        HostCommand.run(inside(argv));
    }

    private List<String> inside(String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(argv));
        return all;
    }

    /** A TCP server on the port that answers "open" to every connection. */
    void serve(int port) {
        try {
            servers.add(new ProcessBuilder(inside("busybox", "nc", "-ll", "-p", Integer.toString(port), "-e", "/bin/echo", "open"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Retries while OVN changes flows: true as soon as one connection gets the answer (or, if not, fails) in time. */
    boolean connectsWithin(boolean expected, String ip, int port, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            if (connects(ip, port) == expected) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** One TCP connection gets the server's answer; an attempt that hangs (a busy machine) did not connect. */
    private boolean connects(String ip, int port) {
        try {
            HostCommand.Result r = HostCommand.execute(inside("busybox", "nc", "-w", "3", ip, Integer.toString(port)),
                    Duration.ofSeconds(20));
            return r.exitCode() == 0 && r.stdout().strip().equals("open");
        } catch (QuantixException e) {
            return false;
        }
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
