package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * The node's console as a person at it sees it: the real distribution's {@code bin/karaf} in an 80x24 tmux pane,
 * driven with {@code send-keys} and read with {@code capture-pane}. The management network is applied inside a network
 * namespace this test makes (a veth pair to a second namespace holding the gateway), so the host is never touched.
 * Each screen the test reaches is saved to {@code target/console-*.txt}. Run alone with {@code -Dit.test=ConsoleIT}.
 * Needs root (network namespaces).
 */
public class ConsoleIT {
    private static final String PASSWORD = "Quantix-Node-2026!";
    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final Duration SCREEN = Duration.ofSeconds(30);

    private Path work;
    private Path node;
    private Path data;
    private Path config;
    private String id;
    private String tmux;
    private String nodeNs;
    private String gatewayNs;
    private int sshPort;

    @Before
    public void unpackNode() throws Exception {
        Assume.assumeTrue("needs root: the network step runs in network namespaces", "root".equals(System.getProperty("user.name")));
        run(List.of("sh", Path.of("src/test/sh/console-env.sh").toString()));
        id = UUID.randomUUID().toString().substring(0, 6);
        work = Files.createTempDirectory("qxconsole");
        data = work.resolve("data");
        config = work.resolve("config");
        Path zip = Path.of(System.getProperty("maven.repo.local"), "io", "quantix", "quantix-karaf-distribution",
                System.getProperty("quantix.version"), "quantix-karaf-distribution-" + System.getProperty("quantix.version") + ".zip");
        run(List.of("unzip", "-q", zip.toString(), "-d", work.resolve("dist").toString()));
        try (Stream<Path> unpacked = Files.list(work.resolve("dist"))) {
            node = unpacked.findFirst().orElseThrow();
        }
        Files.writeString(node.resolve("etc/io.quantix.rest.cfg"), "port=" + freePort() + "\nhost=127.0.0.1\n");
        Files.writeString(node.resolve("etc/io.quantix.grpc.cfg"), "port=" + freePort() + "\nhost=127.0.0.1\n");
        Files.writeString(node.resolve("etc/io.quantix.hypervisor.libvirt.cfg"), "uri = test://" + data.resolve("node.xml") + "\n");
        // the node's management interface lives in its own namespace; the gateway in another, at 10.77.0.1
        nodeNs = "console-n" + id;
        gatewayNs = "console-g" + id;
        run(List.of("ip", "netns", "add", nodeNs));
        run(List.of("ip", "netns", "add", gatewayNs));
        run(List.of("ip", "link", "add", "qxm" + id, "netns", nodeNs, "type", "veth", "peer", "name", "qxg" + id,
                "netns", gatewayNs));
        run(List.of("ip", "-n", gatewayNs, "addr", "add", "10.77.0.1/24", "dev", "qxg" + id));
        run(List.of("ip", "-n", gatewayNs, "link", "set", "qxg" + id, "up"));
        Files.writeString(node.resolve("etc/io.quantix.console.cfg"), "networkTarget = netns:" + nodeNs + "\n");
        sshPort = freePort();
        Path shell = node.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shell, Files.readString(shell).replaceAll("(?m)^sshPort\\s*=.*$", "sshPort = " + sshPort)
                .replaceAll("(?m)^sshHost\\s*=.*$", "sshHost = 127.0.0.1"));
        // the lockout's length is configurable: the test checks that it starts, it never waits for its end
        Files.writeString(node.resolve("etc/io.quantix.security.cfg"), "lockoutSeconds = 600\n");
        tmux = "console-" + id;
    }

    @After
    public void stopNode() throws Exception {
        if (work == null) {
            return;
        }
        execute(List.of("tmux", "kill-session", "-t", tmux));
        killJava();
        Path log = node == null ? null : node.resolve("data/log/karaf.log");
        if (log != null && Files.exists(log)) {
            Files.copy(log, Path.of("target", "ConsoleIT-karaf.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        execute(List.of("ip", "netns", "del", nodeNs));
        execute(List.of("ip", "netns", "del", gatewayNs));
        execute(List.of("rm", "-rf", work.toString()));
    }

    @Test
    public void wizardThenDashboardMenusAndLockout() throws Exception {
        start();
        String step1 = await("the wizard's first step", BOOT, "step 1 of 4: Node identity");
        save("wizard-1-hostname", step1);
        assertFalse("a fresh node offers no shell prompt", step1.contains("karaf@") || step1.contains("@root"));
        // Ctrl-C pauses the wizard, never a shell
        keys("C-c");
        save("wizard-paused", await("the paused wizard", SCREEN, "Setup is paused"));
        keys("Enter");
        await("the first step again", SCREEN, "step 1 of 4");
        type("Not_A_Host!");
        await("the host name refused", SCREEN, "Not_A_Host!' is invalid");
        type("edge-" + id + ".lab");
        await("the admin step", SCREEN, "step 2 of 4: Admin account");
        // a weak password is refused with its reason, a mismatched confirmation too
        type("");
        type("password1234");
        save("wizard-2-weak-password", await("the weak password refused", SCREEN,
                "Password refused: it is a well-known password"));
        type("");
        type(PASSWORD);
        type(PASSWORD + "x");
        save("wizard-2-mismatch", await("the mismatch refused", SCREEN, "The two passwords differ"));
        type("");
        type(PASSWORD);
        type(PASSWORD);
        String network = await("the network step with the namespace's interface", SCREEN, "qxm" + id);
        save("wizard-3-network", network);
        type("qxm" + id);
        type("");
        type("s");
        type("10.77.0.2/24");
        type("10.77.0.1");
        type("10.77.0.1");
        await("the SSH step after the gateway answered", Duration.ofSeconds(60), "step 4 of 4: Security");
        keys("n");
        String summary = await("the summary", SCREEN, "Check and confirm");
        save("wizard-4-summary", summary);
        assertTrue(summary, summary.contains("applied: gateway 10.77.0.1 answered"));
        assertFalse("nothing is written before the confirmation", Files.exists(config.resolve(".setup_complete")));
        keys("Enter");
        String dashboard = await("the dashboard", SCREEN, "Management URL:  https://10.77.0.2:8443");
        assertTrue(dashboard, dashboard.contains("edge-" + id + ".lab"));
        assertTrue(Files.exists(config.resolve(".setup_complete")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(config.resolve("admin.yaml"))));
        String address = execute(List.of("ip", "-n", nodeNs, "-o", "addr", "show", "dev", "qxm" + id));
        assertTrue(address, address.contains("10.77.0.2/24"));

        // the qx: shell after a login: a VM the dashboard then counts
        keys("q");
        login();
        await("the qx: shell", SCREEN, "qx: shell as admin");
        type("qx:vm-create --start console-vm1");
        await("the VM created", Duration.ofSeconds(60), "RUNNING");
        keys("C-d");
        save("dashboard", await("the dashboard counting the VM", SCREEN, "1 running of 1"));

        // F7 without a login
        keys("F7");
        save("diagnostics", await("diagnostics", SCREEN, "Diagnostics (F7)"));
        keys("x");
        await("the dashboard again", SCREEN, "Management URL");

        // the emergency shell: its commands land in the audit log
        keys("F12");
        login();
        save("emergency-shell", await("the emergency shell's banner", SCREEN, "EMERGENCY SHELL"));
        type("echo console-was-here-" + id);
        await("the command's output", SCREEN, "console-was-here-" + id);
        type("exit");
        await("the dashboard after the emergency shell", SCREEN, "Management URL");
        String audit = Files.readString(data.resolve("audit.log"));
        assertTrue(audit, audit.contains("EMERGENCY_COMMAND user=admin source=local-console detail=\"echo console-was-here-" + id + "\""));

        // F3: SSH on, the admin's password opens the qx: shell over it, no other account does; off again closes the port
        keys("F3");
        login();
        await("SSH off, as the wizard chose", SCREEN, "SSH is off.");
        assertFalse("no SSH server while SSH is off", listening(sshPort));
        keys("t");
        save("ssh-on", await("SSH on", Duration.ofSeconds(60), "SSH is on, port " + sshPort));
        keys("x");
        String listed = ssh("admin", PASSWORD, "qx:vm-list");
        assertTrue(listed, listed.contains("console-vm1") && listed.contains("RUNNING"));
        String karaf = ssh("karaf", "karaf", "qx:vm-list");
        assertTrue("Karaf's default account is no way in: " + karaf, karaf.contains("Permission denied"));
        assertTrue(ssh("admin", "not-the-password", "qx:vm-list").contains("Permission denied"));
        assertTrue(Files.readString(config.resolve("console.yaml")).contains("sshEnabled: true"));
        keys("F3");
        login();
        await("SSH on in the menu", SCREEN, "SSH is on");
        keys("t");
        await("SSH off", Duration.ofSeconds(60), "SSH is off.");
        keys("x");
        assertFalse("the SSH port is closed once SSH is off", listening(sshPort));
        assertTrue(Files.readString(config.resolve("console.yaml")).contains("sshEnabled: false"));
        assertTrue(Files.readString(data.resolve("audit.log")).contains("CONSOLE_SSH_ON user=admin"));

        // five wrong passwords lock the menus: the right one is then refused too
        for (int i = 0; i < 5; i++) {
            keys("F12");
            await("the login screen", SCREEN, "User name:");
            type("admin");
            type("wrong-password-" + i);
            if (i < 4) {
                await("the refusal", SCREEN, "Login refused: wrong user name or password");
                keys("Escape");
                await("the dashboard", SCREEN, "Management URL");
            }
        }
        save("locked-out", await("the lockout", SCREEN, "Too many failed logins"));
        keys("x");
        keys("F12");
        login();
        await("the lockout for the right password too", SCREEN, "Too many failed logins");
        assertFalse(Files.readString(data.resolve("audit.log")).isEmpty());
        assertTrue(Files.readString(data.resolve("audit.log")).contains("LOCKOUT_STARTED user=admin source=local-console"));
    }

    @Test
    public void killNineDuringTheSetupWriteLeavesTheWizardAndNoHalfSetup() throws Exception {
        Files.writeString(node.resolve("bin/setenv"), Files.readString(node.resolve("bin/setenv"))
                + "\nEXTRA_JAVA_OPTS=\"${EXTRA_JAVA_OPTS} -Dquantix.setup.commitPauseMillis=60000\"\nexport EXTRA_JAVA_OPTS\n");
        start();
        await("the wizard", BOOT, "step 1 of 4");
        type("killed-" + id);
        type("");
        type(PASSWORD);
        type(PASSWORD);
        await("the network step", SCREEN, "qxm" + id);
        type("qxm" + id);
        type("");
        type("d");
        await("the SSH step", Duration.ofSeconds(60), "step 4 of 4");
        keys("n");
        await("the summary", SCREEN, "Check and confirm");
        keys("Enter");
        Path staging = config.resolve(".setup-staging");
        long deadline = System.nanoTime() + SCREEN.toNanos();
        while (!Files.isDirectory(staging) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue("the setup files staged before the commit", Files.isDirectory(staging));
        killJava();
        execute(List.of("tmux", "kill-session", "-t", tmux));
        assertFalse(Files.exists(config.resolve("admin.yaml")));
        // the node again, without the pause: the wizard, and nothing of the killed setup
        Files.writeString(node.resolve("bin/setenv"), Files.readString(node.resolve("bin/setenv"))
                .replace("-Dquantix.setup.commitPauseMillis=60000", ""));
        start();
        save("after-kill", await("the wizard after the kill", BOOT, "step 1 of 4"));
        assertFalse(Files.exists(staging));
        assertFalse(Files.exists(config.resolve("admin.yaml")));
        assertFalse(Files.exists(config.resolve("network.yaml")));
        assertFalse(Files.exists(config.resolve(".setup_complete")));
        assertFalse(Files.readString(config.resolve("node.yaml")).contains("killed-" + id));
    }

    private void start() throws Exception {
        run(List.of("tmux", "new-session", "-d", "-s", tmux, "-x", "80", "-y", "24", "env", "TERM=screen",
                "QUANTIX_DATA_DIR=" + data, "QUANTIX_CONFIG_DIR=" + config, node.resolve("bin/karaf").toString()));
    }

    private void login() throws Exception {
        await("the login screen", SCREEN, "User name:");
        type("admin");
        type(PASSWORD);
    }

    private void type(String text) throws Exception {
        if (!text.isEmpty()) {
            run(List.of("tmux", "send-keys", "-t", tmux, "-l", text));
        }
        keys("Enter");
    }

    private void keys(String... keys) throws Exception {
        List<String> argv = new ArrayList<>(List.of("tmux", "send-keys", "-t", tmux));
        argv.addAll(Arrays.asList(keys));
        run(argv);
        Thread.sleep(300); // keys one after the other, as typed: a field is read after the screen before it is drawn
    }

    private String screen() throws Exception {
        return execute(List.of("tmux", "capture-pane", "-p", "-t", tmux));
    }

    private String await(String what, Duration bound, String text) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = screen();
            if (last.contains(text)) {
                return last;
            }
            Thread.sleep(250);
        }
        fail("waited " + bound.toSeconds() + " s for " + what + " (\"" + text + "\"); the screen was:\n" + last);
        return last;
    }

    private void save(String name, String capture) throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "console-" + name + ".txt"), capture, StandardCharsets.UTF_8);
    }

    /** SIGKILL to this test's node JVM (found by its own unpacked folder on the command line). */
    private void killJava() throws InterruptedException {
        String home = "-Dkaraf.home=" + node;
        ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(home))
                .orElse(false)).forEach(ProcessHandle::destroyForcibly);
        Thread.sleep(1000);
    }

    /**
     * One command over SSH with a password, as a person types it (OpenSSH's askpass, forced: no terminal needed);
     * the client's output, its refusal included.
     */
    private String ssh(String user, String password, String command) throws Exception {
        Path askpass = work.resolve("askpass-" + user);
        Files.writeString(askpass, "#!/bin/sh\necho '" + password + "'\n");
        askpass.toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder("ssh", "-p", Integer.toString(sshPort), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
                "-o", "ConnectTimeout=20", user + "@127.0.0.1", command).redirectErrorStream(true);
        pb.environment().put("SSH_ASKPASS", askpass.toString());
        pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
        pb.environment().put("DISPLAY", ":0");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("ssh " + user + "@127.0.0.1 " + command + " did not end within 60 s: " + out);
        }
        return out;
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
    }

    private static String execute(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
