package io.quantix.console.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.service.NodeService;
import io.quantix.console.internal.Frame.Style;
import io.quantix.console.internal.Tty.Press;
import io.quantix.security.AdminAccount;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first-boot wizard: (1) host name, (2) admin account, (3) management network, (4) SSH, then a summary to
 * confirm. Ctrl-C (or Esc) goes one step back; at the first step it pauses the wizard on a screen that resumes it:
 * never a shell. The answers stay in memory while the node runs (the password too, until setup is written or the
 * node stops); nothing is written before the confirmation, and then everything is written as one set
 * ({@link AdminAccount#completeSetup}).
 */
final class Wizard {
    static final String CONSOLE_FILE = "console.yaml";
    static final String NETWORK_FILE = "network.yaml";
    private static final int STEPS = 4;

    private final Tty tty;
    private final Renderer renderer;
    private final String version;
    private final AdminAccount admin;
    private final NodeService node;
    private final NetworkTarget target;
    private final Runnable diagnostics;

    private String hostname;
    private String username = "admin";
    private char[] password;
    private NetworkPlan network;
    private String networkOutcome = "";
    private boolean ssh;

    Wizard(Tty tty, Renderer renderer, String version, AdminAccount admin, NodeService node, NetworkTarget target,
            Runnable diagnostics) {
        this.tty = tty;
        this.renderer = renderer;
        this.version = version;
        this.admin = admin;
        this.node = node;
        this.target = target;
        this.diagnostics = diagnostics;
    }

    /** Runs until setup is written; returns the host name chosen. */
    String run() {
        int step = 1;
        while (true) {
            boolean forward = switch (step) {
                case 1 -> hostnameStep();
                case 2 -> adminStep();
                case 3 -> networkStep();
                case 4 -> sshStep();
                default -> summaryStep();
            };
            if (forward && step == STEPS + 1) {
                return hostname;
            }
            if (forward) {
                step++;
            } else if (step == 1) {
                paused();
            } else {
                step--;
            }
        }
    }

    private Frame.Builder step(int n, String title) {
        return Views.titled(version, "First-boot setup", "step " + n + " of " + STEPS + ": " + title)
                .line("   This node is not set up yet: 4 short steps, then a summary to confirm.")
                .blank();
    }

    private Frame show(Frame.Builder b, String error) {
        if (!error.isEmpty()) {
            b.footer("   " + error, Style.BAD);
        } else {
            b.footer("", Style.NORMAL);
        }
        b.footer(" Enter: next    Ctrl-C or Esc: back    nothing is written until you confirm", Style.KEYS);
        Frame f = b.build();
        renderer.draw(f);
        return f;
    }

    private boolean hostnameStep() {
        String error = "";
        while (true) {
            String current = hostname != null ? hostname : node.info().name();
            Frame.Builder b = step(1, "Node identity");
            b.line("   Host name: letters, digits and '-' in dot-separated labels, e.g. edge-01.lab");
            b.line("   Press Enter to keep " + current + ".");
            b.blank();
            int row = b.row();
            b.line("   Host name: ");
            show(b, error);
            Optional<char[]> typed = tty.line(row, 14, false, 253);
            if (typed.isEmpty()) {
                return false;
            }
            String text = new String(typed.get()).strip();
            try {
                hostname = Validation.hostname(text.isEmpty() ? current : text);
                return true;
            } catch (QuantixException e) {
                error = e.getMessage();
            }
        }
    }

    private boolean adminStep() {
        String error = "";
        while (true) {
            Frame.Builder b = step(2, "Admin account");
            b.line("   The node's one admin: for these menus, SSH, the web console and the APIs.");
            b.line("   Password: 12+ characters of 3 kinds (a-z A-Z 0-9 symbols), or 20+ characters.");
            b.blank();
            int userRow = b.row();
            b.line("   User name [" + username + "]: ");
            int passRow = b.row();
            b.line("   Password:         ");
            int confirmRow = b.row();
            b.line("   Password again:   ");
            show(b, error);
            int userCol = 17 + username.length();
            Optional<char[]> user = tty.line(userRow, userCol, false, 63);
            if (user.isEmpty()) {
                return false;
            }
            String name = new String(user.get()).strip();
            try {
                username = Validation.name("admin user", name.isEmpty() ? username : name);
            } catch (QuantixException e) {
                error = e.getMessage();
                continue;
            }
            Optional<char[]> first = tty.line(passRow, 22, true, 1024);
            if (first.isEmpty()) {
                continue;
            }
            Optional<String> weak = PasswordPolicy.problem(first.get(), username);
            if (weak.isPresent()) {
                Arrays.fill(first.get(), '\0');
                error = "Password refused: " + weak.get();
                continue;
            }
            Optional<char[]> second = tty.line(confirmRow, 22, true, 1024);
            if (second.isEmpty()) {
                Arrays.fill(first.get(), '\0');
                continue;
            }
            boolean same = Arrays.equals(first.get(), second.get());
            Arrays.fill(second.get(), '\0');
            if (!same) {
                Arrays.fill(first.get(), '\0');
                error = "The two passwords differ: type them again.";
                continue;
            }
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            password = first.get();
            return true;
        }
    }

    private boolean networkStep() {
        Optional<NetworkDialog.Result> chosen = new NetworkDialog(tty, renderer, version, target, "step 3 of " + STEPS
                + ": Management network").run(network);
        if (chosen.isEmpty()) {
            return false;
        }
        network = chosen.get().plan();
        networkOutcome = chosen.get().outcome();
        return true;
    }

    private boolean sshStep() {
        Frame.Builder b = step(4, "Security");
        b.line("   SSH gives the same qx: shell over the network, with the admin's password.");
        b.line("   It is off unless you turn it on (F3 on the dashboard changes it later).");
        b.blank();
        b.line("   Enable SSH?  y = yes,  n or Enter = no (the default)");
        show(b, "");
        while (true) {
            Press p = tty.read(0);
            if (p.key() == Tty.Key.CTRL_C || p.key() == Tty.Key.ESC) {
                return false;
            }
            if (p.is('y')) {
                ssh = true;
                return true;
            }
            if (p.is('n') || p.key() == Tty.Key.ENTER) {
                ssh = false;
                return true;
            }
        }
    }

    private boolean summaryStep() {
        String error = "";
        while (true) {
            Frame.Builder b = Views.titled(version, "First-boot setup", "summary");
            b.line("   Check and confirm. Nothing has been written yet.");
            b.blank();
            b.line(Frame.field("Host name", hostname));
            b.line(Frame.field("Admin user", username + "   (password set, never shown)"));
            b.line(Frame.field("Network", network.describe()));
            b.line(Frame.field("Applied", networkOutcome));
            b.line(Frame.field("SSH", ssh ? "on" : "off"));
            b.blank();
            b.line("   Enter: write the setup and open the dashboard     Ctrl-C or Esc: back");
            if (!error.isEmpty()) {
                b.footer("   " + error, Style.BAD);
            }
            b.footer(" Writes node.yaml, admin.yaml, network.yaml, console.yaml, .setup_complete", Style.KEYS);
            renderer.draw(b.build());
            Press p = tty.read(0);
            if (p.key() == Tty.Key.CTRL_C || p.key() == Tty.Key.ESC) {
                return false;
            }
            if (p.key() != Tty.Key.ENTER) {
                continue;
            }
            try {
                Map<String, byte[]> files = new LinkedHashMap<>();
                files.put(NETWORK_FILE, network.yaml(hostname, target.toString()).getBytes(StandardCharsets.UTF_8));
                files.put(CONSOLE_FILE, consoleYaml(ssh).getBytes(StandardCharsets.UTF_8));
                admin.completeSetup(username, password, files);
                Arrays.fill(password, '\0');
                password = null;
                node.rename(hostname);
                return true;
            } catch (QuantixException e) {
                error = e.code() + ": " + e.getMessage();
            }
        }
    }

    static String consoleYaml(boolean sshEnabled) {
        return "# Console settings, written by the Quantix console\nsshEnabled: " + sshEnabled + "\n";
    }

    /** Ctrl-C at the first step: the wizard waits here, answers kept, until it is resumed. */
    private void paused() {
        List<String> lines = new ArrayList<>(List.of("Setup is paused; your answers so far are kept while the node runs.",
                "", "The node answers only health and setup on its APIs until setup is complete.", "",
                "Enter: resume setup      F7 or D: diagnostics (no login needed)"));
        while (true) {
            renderer.draw(Views.message(version, "First-boot setup", lines, Style.NORMAL,
                    "Enter: resume    F7/D: diagnostics"));
            Press p = tty.read(0);
            if (p.key() == Tty.Key.ENTER) {
                return;
            }
            if (p.key() == Tty.Key.F7 || p.is('d')) {
                diagnostics.run();
            }
        }
    }
}
