package io.quantix.console.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.service.NodeService;
import io.quantix.console.ClusterJoin;
import io.quantix.console.internal.Frame.Style;
import io.quantix.console.internal.Tty.Key;
import io.quantix.console.internal.Tty.Press;
import io.quantix.security.AdminAccount;
import io.quantix.security.AuditTrail;
import io.quantix.security.Authenticator;
import io.quantix.security.Token;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console on the node's own terminal: the wizard until setup is complete, then the dashboard and its menus.
 * It never returns control to an unauthenticated prompt: the qx: shell and the emergency shell open only after a
 * login, and leaving them comes back here.
 */
final class Dcui implements Runnable {
    /** The source of the menus' logins: throttled like an address (5 failures lock the menus), in the audit log. */
    static final String SOURCE = "local-console";
    static final long REFRESH_MILLIS = 5000;
    /** The host services F5 restarts on Quantix-OS, after the node's own bundles. */
    static final List<String> HOST_SERVICES = List.of("libvirtd", "openvswitch-switch");
    private static final long RESTART_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(Dcui.class);

    private final Tty tty;
    private final Renderer renderer;
    private final AdminAccount admin;
    private final Authenticator authenticator;
    private final AuditTrail audit;
    private final NodeService node;
    private final Probe probe;
    private final NetworkTarget target;
    private final Path configDir;
    private final SessionFactory shells;
    private final Supplier<Optional<ClusterJoin>> cluster;
    private final BundleContext context;
    private final boolean quantixOs;
    private final SshSwitch ssh;

    Dcui(Tty tty, Renderer renderer, AdminAccount admin, Authenticator authenticator, AuditTrail audit, NodeService node,
            Probe probe, NetworkTarget target, Path configDir, SessionFactory shells,
            Supplier<Optional<ClusterJoin>> cluster, BundleContext context, boolean quantixOs, SshSwitch ssh) {
        this.tty = tty;
        this.renderer = renderer;
        this.admin = admin;
        this.authenticator = authenticator;
        this.audit = audit;
        this.node = node;
        this.probe = probe;
        this.target = target;
        this.configDir = configDir;
        this.shells = shells;
        this.cluster = cluster;
        this.context = context;
        this.quantixOs = quantixOs;
        this.ssh = ssh;
    }

    private String version() {
        return "v" + node.info().version();
    }

    @Override
    public void run() {
        tty.raw();
        renderer.clear();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (!admin.setupComplete()) {
                    new Wizard(tty, renderer, version(), admin, node, target, this::diagnostics).run();
                    renderer.invalidate();
                    applySsh();
                }
                dashboard();
            } catch (java.io.UncheckedIOException e) {
                LOG.warn("The console's terminal is gone ({}): the console stops; the node runs on", e.getMessage());
                return;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                // a failure of one screen must not end the console: show it, and start again from the dashboard
                LOG.error("Console screen failed", e);
                renderer.draw(Views.message(version(), "Error", List.of(String.valueOf(e.getMessage()), "",
                        "The node keeps running. Press any key."), Style.BAD, "any key"));
                tty.read(0);
            }
        }
    }

    private void dashboard() {
        renderer.invalidate();
        long next = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.currentTimeMillis();
            if (now >= next) {
                renderer.draw(Views.dashboard(probe.read()));
                next = now + REFRESH_MILLIS;
            }
            Press p = tty.read(Math.max(1, next - System.currentTimeMillis()));
            boolean acted = true;
            if (p.key() == Key.F2 || p.is('n')) {
                withLogin("Network (F2)", this::network);
            } else if (p.key() == Key.F3 || p.is('s')) {
                withLogin("SSH (F3)", this::sshMenu);
            } else if (p.key() == Key.F4 || p.is('j')) {
                withLogin("Join cluster (F4)", this::joinCluster);
            } else if (p.key() == Key.F5 || p.is('r')) {
                withLogin("Restart services (F5)", this::restartServices);
            } else if (p.key() == Key.F7 || p.is('d')) {
                diagnostics();
            } else if (p.key() == Key.F10 || p.is('p')) {
                withLogin("Power (F10)", this::power);
            } else if (p.key() == Key.F12 || p.is('e')) {
                withLogin("Emergency shell (F12)", this::emergencyShell);
            } else if (p.is('q')) {
                withLogin("qx: shell", this::qxShell);
            } else {
                acted = false;
            }
            if (acted) {
                renderer.invalidate();
                next = 0;
            }
        }
    }

    /** Asks for the admin's name and password; runs {@code then} with the user name when they are right. */
    private void withLogin(String what, java.util.function.Consumer<String> then) {
        String error = "";
        while (true) {
            Frame.Builder b = Views.titled(version(), "Log in", what);
            b.line("   " + what + " needs the admin's login. Every attempt is written to the audit log.");
            b.line("   5 failed attempts lock these menus for a while (F7 diagnostics stay open).");
            b.blank();
            int userRow = b.row();
            b.line("   User name: ");
            int passRow = b.row();
            b.line("   Password:  ");
            b.footer(error.isEmpty() ? "" : "   " + error, Style.BAD);
            b.footer(" Enter: next    Ctrl-C or Esc: back to the dashboard", Style.KEYS);
            renderer.draw(b.build());
            Optional<char[]> user = tty.line(userRow, 16, false, 63);
            if (user.isEmpty()) {
                return;
            }
            Optional<char[]> password = tty.line(passRow, 16, true, 1024);
            if (password.isEmpty()) {
                return;
            }
            String name = new String(user.get()).strip();
            try {
                Token token = authenticator.login(name, password.get(), SOURCE);
                // the menus need no API token: end its session at once
                authenticator.revoke(token.value());
            } catch (QuantixException e) {
                if (e.code() == ErrorCode.LOCKED_OUT) {
                    lockedOut(e.getMessage());
                    return;
                }
                error = "Login refused: " + e.getMessage();
                continue;
            } finally {
                Arrays.fill(password.get(), '\0');
            }
            then.accept(name);
            return;
        }
    }

    private void lockedOut(String reason) {
        List<String> lines = new ArrayList<>(List.of("Login refused:"));
        for (String part : reason.split(": ")) {
            lines.add("  " + part);
        }
        lines.addAll(List.of("", "Too many failed logins at this console. Wait for the lockout to end,",
                "or, as the person at the machine, restart the node (power button or",
                "hypervisor reset): the lockout is held in memory and ends with the node",
                "runtime. Diagnostics (F7) need no login."));
        renderer.draw(Views.message(version(), "Locked out", lines, Style.BAD, "any key: back to the dashboard"));
        tty.read(0);
    }

    private void network(String user) {
        Optional<NetworkDialog.Result> chosen = new NetworkDialog(tty, renderer, version(), target,
                "F2: Management network").run(null);
        if (chosen.isEmpty()) {
            return;
        }
        String hostname = node.info().name();
        writeConfig(configDir, Wizard.NETWORK_FILE, chosen.get().plan().yaml(hostname, target.toString()));
        audit.record("CONSOLE_NETWORK", user, SOURCE, chosen.get().plan().describe() + ": " + chosen.get().outcome());
        message("Network", List.of(chosen.get().plan().describe(), chosen.get().outcome(), "",
                "Saved in " + configDir.resolve(Wizard.NETWORK_FILE)));
    }

    /** The wizard's SSH choice, applied once setup is complete; a failure is shown and the console goes on. */
    private void applySsh() {
        if (!admin.setupComplete()) {
            return;
        }
        try {
            ssh.apply();
        } catch (QuantixException e) {
            LOG.error("The setup's SSH choice is not applied: {}", e.getMessage());
        }
    }

    private void sshMenu(String user) {
        boolean on = ssh.running();
        renderer.draw(Views.message(version(), "SSH (F3)", List.of("SSH is " + ssh.describe() + ".",
                "Over SSH the admin gets the same qx: shell, with the admin's password; no other account",
                "is accepted. The choice is kept in console.yaml and survives a restart.", "",
                "t: turn SSH " + (on ? "off" : "on") + "     any other key: back"), Style.NORMAL,
                "t: turn " + (on ? "off" : "on") + "   other: back"));
        if (!tty.read(0).is('t')) {
            return;
        }
        renderer.draw(Views.message(version(), "SSH (F3)", List.of("Turning SSH " + (on ? "off" : "on") + " ..."),
                Style.NORMAL, "please wait"));
        try {
            ssh.set(!on);
            audit.record(on ? "CONSOLE_SSH_OFF" : "CONSOLE_SSH_ON", user, SOURCE, null);
            message("SSH (F3)", List.of("SSH is " + ssh.describe() + "."));
        } catch (QuantixException e) {
            message("SSH (F3)", List.of("SSH is unchanged: " + e.getMessage()));
        }
    }

    private void joinCluster(String user) {
        Optional<ClusterJoin> join = cluster.get();
        if (join.isEmpty()) {
            message("Join cluster (F4)", List.of("Not available on this node yet: no cluster service is installed.",
                    "This node runs standalone."));
            return;
        }
        Frame.Builder b = Views.titled(version(), "Join cluster", "F4");
        int urlRow = b.row();
        b.line("   Control plane URL: ");
        int tokenRow = b.row();
        b.line("   Join token:        ");
        b.footer(" Enter: next    Ctrl-C or Esc: back", Style.KEYS);
        renderer.draw(b.build());
        Optional<char[]> url = tty.line(urlRow, 23, false, 500);
        Optional<char[]> token = url.isEmpty() ? Optional.empty() : tty.line(tokenRow, 23, true, 500);
        if (token.isEmpty()) {
            return;
        }
        try {
            join.get().join(new String(url.get()).strip(), token.get());
            audit.record("CONSOLE_CLUSTER_JOIN", user, SOURCE, new String(url.get()).strip());
            message("Join cluster (F4)", List.of("Joined: " + join.get().status()));
        } catch (QuantixException e) {
            message("Join cluster (F4)", List.of("Not joined: " + e.getMessage()));
        } finally {
            Arrays.fill(token.get(), '\0');
        }
    }

    /**
     * Restarts the bundles that talk to the host's services (backends, APIs): each is stopped and started, so it lets
     * go of its connections and makes new ones. The engine, security and this console stay up.
     */
    private void restartServices(String user) {
        renderer.draw(Views.message(version(), "Restart services (F5)", List.of("Restarting the backend and API"
                + " bundles ..."), Style.NORMAL, "please wait"));
        List<String> done = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            if (name != null && bundle.getState() == Bundle.ACTIVE && name.matches(
                    "io\\.quantix\\.quantix-(hypervisor|storage|network)-.*|io\\.quantix\\.quantix-(rest|grpc)")) {
                try {
                    bundle.stop(Bundle.STOP_TRANSIENT);
                    bundle.start(Bundle.START_TRANSIENT);
                    done.add(name.substring("io.quantix.quantix-".length()) + " restarted");
                } catch (BundleException e) {
                    done.add(name + ": " + e.getMessage());
                }
            }
        }
        if (quantixOs) {
            for (String unit : HOST_SERVICES) {
                done.add(unit + ": " + restartUnit(unit));
            }
        }
        audit.record("CONSOLE_RESTART_SERVICES", user, SOURCE, String.join(", ", done));
        if (!quantixOs) {
            done.add("");
            done.add("libvirtd and OVS are not this node's to restart here (not Quantix-OS).");
        }
        message("Restart services (F5)", done);
    }

    /** What systemd says of one host service's restart: "restarted", or its exit code and first words. */
    private static String restartUnit(String unit) {
        try {
            Process p = new ProcessBuilder("systemctl", "restart", unit).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!p.waitFor(RESTART_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "not restarted within " + RESTART_SECONDS + " s";
            }
            return p.exitValue() == 0 ? "restarted" : "failed (exit " + p.exitValue() + "): " + out.lines().findFirst()
                    .orElse("");
        } catch (IOException e) {
            return "cannot run systemctl: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private void power(String user) {
        List<String> lines = new ArrayList<>();
        if (!quantixOs) {
            lines.add("This machine is not Quantix-OS: 'shutdown' stops the node runtime, not the host;");
            lines.add("'reboot' restarts the node runtime. VMs keep running under libvirt.");
            lines.add("");
        }
        lines.add("r: reboot     s: shut down     any other key: back");
        renderer.draw(Views.message(version(), "Power (F10)", lines, Style.WARN, "r reboot   s shut down   other: back"));
        Press p = tty.read(0);
        if (!p.is('r') && !p.is('s')) {
            return;
        }
        boolean reboot = p.is('r');
        renderer.draw(Views.message(version(), "Power (F10)", List.of("Really " + (reboot ? "reboot" : "shut down")
                + "? Type y to confirm, anything else cancels."), Style.WARN, "y: confirm"));
        if (!tty.read(0).is('y')) {
            return;
        }
        audit.record(reboot ? "CONSOLE_REBOOT" : "CONSOLE_SHUTDOWN", user, SOURCE, quantixOs ? "host" : "node runtime");
        renderer.draw(Views.message(version(), "Power (F10)", List.of(reboot ? "Restarting ..." : "Stopping ..."),
                Style.WARN, ""));
        try {
            if (quantixOs) {
                new ProcessBuilder("systemctl", reboot ? "reboot" : "poweroff").inheritIO().start();
            } else {
                if (reboot) {
                    System.setProperty("karaf.restart", "true"); // Karaf's launcher starts the framework again
                }
                context.getBundle(0).stop();
            }
        } catch (IOException | BundleException e) {
            message("Power (F10)", List.of("Failed: " + e.getMessage()));
        }
    }

    /** Break-glass: a host shell, one command at a time, each written to the audit log before it runs. */
    private void emergencyShell(String user) {
        audit.record("EMERGENCY_SHELL_OPENED", user, SOURCE, null);
        renderer.clear();
        PrintStream out = new PrintStream(tty.terminal().output(), true);
        out.print("\r\n*** EMERGENCY SHELL: every command is written to the node's audit log. ***\r\n"
                + "*** One command per line, run by /bin/sh; 'exit' returns to the dashboard. ***\r\n\r\n");
        while (true) {
            out.print("emergency# ");
            out.flush();
            Optional<char[]> line = tty.line(-1, 0, false, 4096);
            if (line.isEmpty()) {
                out.print("^C\r\n");
                continue; // a new prompt, as in a shell
            }
            String command = new String(line.get()).strip();
            if (command.equals("exit") || command.equals("logout")) {
                break;
            }
            if (command.isEmpty()) {
                continue;
            }
            audit.record("EMERGENCY_COMMAND", user, SOURCE, command);
            tty.restore();
            try {
                Process process = new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start();
                int code = process.waitFor();
                out.print(code == 0 ? "" : "(exit code " + code + ")\r\n");
            } catch (IOException e) {
                out.print("cannot run /bin/sh: " + e.getMessage() + "\r\n");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                tty.raw();
            }
        }
        audit.record("EMERGENCY_SHELL_CLOSED", user, SOURCE, null);
    }

    /** Karaf's shell with the qx: commands, as the admin; 'logout' or Ctrl-D comes back to the dashboard. */
    private void qxShell(String user) {
        audit.record("CONSOLE_SHELL_OPENED", user, SOURCE, null);
        renderer.clear();
        tty.restore();
        try {
            PrintStream out = new PrintStream(tty.terminal().output(), true);
            out.print("qx: shell as " + user + ". Type logout (or Ctrl-D) to return to the dashboard.\r\n");
            Subject subject = new Subject();
            subject.getPrincipals().add(new UserPrincipal(user));
            for (String role : List.of("admin", "manager", "viewer", "systembundles")) {
                subject.getPrincipals().add(new RolePrincipal(role));
            }
            Subject.doAs(subject, (PrivilegedAction<Void>) () -> {
                // made inside the subject, so the session's USER and its commands' checks see the admin
                Session session = shells.create(tty.terminal().input(), out, out, new ShellTerminal(tty.terminal()),
                        null, null);
                session.run();
                return null;
            });
        } finally {
            tty.raw();
            audit.record("CONSOLE_SHELL_CLOSED", user, SOURCE, null);
        }
    }

    /** F7: no login needed, nothing changes. */
    void diagnostics() {
        List<String> lines = new ArrayList<>();
        lines.add("Hardware: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Views.bytes(node.info().memoryBytes()) + " memory");
        lines.add("Kernel:   " + read("/proc/sys/kernel/osrelease") + "   KVM: "
                + (Files.isWritable(Path.of("/dev/kvm")) ? "yes" : "no (/dev/kvm missing or not writable)"));
        lines.add("");
        lines.add("Backends:");
        for (BackendInfo b : node.backends()) {
            lines.add(String.format("  %-10s %-16s %s", b.kind(), b.name(), b.simulated() ? "SIMULATED" : "ready"));
        }
        lines.add("");
        lines.add("Node log (" + probe.logTail().size() + " recent lines read), last:");
        List<String> tail = probe.logTail();
        for (String l : tail.subList(Math.max(0, tail.size() - 8), tail.size())) {
            lines.add("  " + l);
        }
        Frame.Builder b = Views.titled(version(), "Diagnostics (F7)", "no login needed");
        for (String l : lines) {
            b.line(" " + l, l.contains(" ERROR ") ? Style.BAD : l.contains(" WARN ") ? Style.WARN : Style.NORMAL);
        }
        b.footer(" any key: back", Style.KEYS);
        renderer.draw(b.build());
        tty.read(0);
        renderer.invalidate();
    }

    private void message(String title, List<String> lines) {
        renderer.draw(Views.message(version(), title, lines, Style.NORMAL, "any key: back to the dashboard"));
        tty.read(0);
    }

    /** Writes one of the console's files so that a power cut leaves the old content or the new, never half. */
    static void writeConfig(Path configDir, String name, String content) {
        try {
            Path file = configDir.resolve(name);
            Path temp = Files.createTempFile(configDir, "." + name, ".tmp",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write " + name + ": " + e.getMessage(), e);
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
