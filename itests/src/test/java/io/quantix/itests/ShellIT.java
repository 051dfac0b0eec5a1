package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Token;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The qx: commands as an operator types them on the console. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends QuantixTestSupport {
    @Inject
    SessionFactory sessions;
    @Inject
    AdminAccount admin;
    @Inject
    Authenticator auth;

    private String run(String command) throws Exception {
        return run(command, "");
    }

    /** Runs a command as typed on the console, with {@code input} as what the operator types at its prompts. */
    private String run(String command, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), print, print);
        try {
            session.execute(command);
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Whether the console knows the command (it may still fail for want of arguments). */
    private boolean registered(String command) {
        try {
            run(command);
            return true;
        } catch (Exception e) {
            return !String.valueOf(e.getMessage()).startsWith("Command not found");
        }
    }

    private Exception failure(String command) {
        return failure(command, "");
    }

    private Exception failure(String command, String input) {
        try {
            run(command, input);
        } catch (Exception e) {
            return e;
        }
        fail(command + " should have failed");
        return null;
    }

    /** The console is up before every qx: command is registered, as on a real node's first seconds. */
    @Before
    public void commandsRegistered() throws Exception {
        // registered() first: running a command the console does not know yet throws rather than answering false
        await("qx commands registered", () -> Stream.of("qx:backends", "qx:vm-start", "qx:vm-list", "qx:admin-setup")
                .allMatch(this::registered) && run("qx:backends").contains("libvirt"));
    }

    @Test
    public void createStartListStopDeleteFromTheShell() throws Exception {
        String backends = run("qx:backends");
        assertTrue(backends, backends.contains("dir") && backends.contains("bridge") && backends.contains("SIMULATED"));

        assertTrue(run("qx:pool-list").contains("default"));
        assertTrue(run("qx:vm-create --cpus 2 --memory 256M --disk default:32M --tag web shellvm")
                .contains("VM shellvm created"));
        assertTrue(run("qx:vm-start shellvm").contains("RUNNING"));
        String list = run("qx:vm-list");
        assertTrue(list, list.lines().anyMatch(l -> l.contains("shellvm") && l.contains("RUNNING") && l.contains("256.0M")));
        assertTrue(run("qx:volume-list default").contains("shellvm-disk0"));
        assertTrue(run("qx:vm-stop --force shellvm").contains("STOPPED"));
        assertTrue(run("qx:vm-delete shellvm").contains("deleted"));
        assertTrue(run("qx:vm-list").lines().noneMatch(l -> l.contains("shellvm")));
        assertTrue(run("qx:volume-list default").lines().noneMatch(l -> l.contains("shellvm-disk0")));
    }

    /** The commands exist on every node; the simulated one says what it cannot do, and nothing changes. */
    @Test
    public void migrationAndAutostartCommandsAnswerAndSecureBootVmsAreCreated() throws Exception {
        assertTrue(run("qx:vm-create --secure-boot sbvm").contains("VM sbvm created"));

        Exception migrate = failure("qx:vm-migrate --max-downtime 300 sbvm qemu+tcp://node2/system");
        assertTrue(migrate.getMessage(), migrate.getMessage().startsWith("UNSUPPORTED: "));
        Exception cancel = failure("qx:vm-migrate-cancel sbvm");
        assertTrue(cancel.getMessage(), cancel.getMessage().startsWith("UNSUPPORTED: "));
        Exception autostart = failure("qx:vm-autostart --off sbvm");
        assertTrue(autostart.getMessage(), autostart.getMessage().startsWith("UNSUPPORTED: "));
        Exception badUri = failure("qx:vm-migrate sbvm no-scheme");
        assertTrue(badUri.getMessage(), badUri.getMessage().startsWith("INVALID_ARGUMENT: "));

        assertTrue(run("qx:vm-list").lines().anyMatch(l -> l.contains("sbvm") && l.contains("STOPPED")));
        assertTrue(run("qx:vm-delete sbvm").contains("deleted"));
    }

    @Test
    public void everyStorageOperationFromTheShell() throws Exception {
        Path dir = Files.createTempDirectory("qx-shell-pool");
        Path iso = Files.write(dir.resolveSibling(dir.getFileName() + ".iso"), new byte[128 * 1024]);
        assertTrue(run("qx:pool-create -o path=" + dir + "/pool shellpool").contains("pool shellpool created"));
        assertTrue(run("qx:volume-create shellpool base 64M").contains("volume shellpool/base created: qcow2"));
        assertTrue(run("qx:volume-resize shellpool base 96M").contains("is now 96.0M"));
        assertTrue(run("qx:template-create shellpool base golden").contains("template shellpool/golden made"));
        assertTrue(run("qx:volume-clone shellpool golden vm1-root").contains("cloned from golden"));
        String volumes = run("qx:volume-list shellpool");
        assertTrue(volumes, volumes.lines().anyMatch(l -> l.contains("golden") && l.contains("template")));
        assertTrue(run("qx:volume-snapshot shellpool vm1-root s1").contains("taken"));
        assertTrue(run("qx:volume-snapshot-list shellpool vm1-root").contains("s1"));
        assertTrue(run("qx:volume-snapshot-delete shellpool vm1-root s1").contains("deleted"));
        assertTrue(run("qx:volume-import -f raw shellpool imported " + iso).contains("imported: raw"));
        assertTrue(run("qx:iso-upload shellpool tools.iso " + iso).contains("stored: 128.0K"));
        assertTrue(run("qx:iso-list shellpool").contains("tools.iso"));
        assertTrue(String.valueOf(failure("qx:iso-upload shellpool ../x.iso " + iso).getMessage())
                .startsWith("INVALID_ARGUMENT"));
        assertTrue(String.valueOf(failure("qx:volume-delete shellpool golden").getMessage()).startsWith("CONFLICT"));
        for (String command : List.of("qx:iso-delete shellpool tools.iso", "qx:volume-delete shellpool imported",
                "qx:volume-delete shellpool vm1-root", "qx:volume-delete shellpool golden",
                "qx:volume-delete shellpool base", "qx:pool-delete shellpool")) {
            assertTrue(command, run(command).contains("deleted"));
        }
        Files.delete(iso);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    public void firstBootAdminSetupAsksThePasswordTwice() throws Exception {
        String code = run("qx:setup-code");
        assertTrue(code, code.lines().findFirst().orElse("").matches("[0-9A-Z]{5}(-[0-9A-Z]{5}){3}"));

        Exception differ = failure("qx:admin-setup admin", "correct horse battery\ncorrect horse batterx\n");
        assertEquals(differ.toString(), "INVALID_ARGUMENT: the two passwords differ; nothing was changed", differ.getMessage());
        assertFalse(admin.exists());

        String created = run("qx:admin-setup admin", "correct horse battery\ncorrect horse battery\n");
        assertTrue(created, created.contains("admin account admin created"));
        assertFalse("the password is never echoed", created.contains("correct horse"));
        assertTrue(admin.exists());

        Exception again = failure("qx:admin-setup other", "another long password\nanother long password\n");
        assertTrue(again.getMessage(), again.getMessage().startsWith("ALREADY_EXISTS: "));
        Exception noCode = failure("qx:setup-code");
        assertTrue(noCode.getMessage(), noCode.getMessage().startsWith("ALREADY_EXISTS: "));

        // the console's way back in: a new password, every API session ended
        Token session = auth.login("admin", "correct horse battery".toCharArray(), "127.0.0.1");
        Exception wrong = failure("qx:admin-password admin", "not the password\na new long password\na new long password\n");
        assertTrue(wrong.getMessage(), wrong.getMessage().startsWith("UNAUTHENTICATED: "));
        String changed = run("qx:admin-password admin", "correct horse battery\na new long password\na new long password\n");
        assertTrue(changed, changed.contains("password changed"));
        assertFalse("the password is never echoed", changed.contains("a new long"));
        assertTrue("the API session ended with the password change", auth.verify(session.value()).isEmpty());

        auth.login("admin", "a new long password".toCharArray(), "127.0.0.1");
        String revoked = run("qx:sessions-revoke");
        assertTrue(revoked, revoked.contains("1 session(s) revoked"));
    }

    @Test
    public void errorsAreACodeAndOneLine() throws Exception {
        Exception notFound = failure("qx:vm-start nosuchvm");
        assertEquals("NOT_FOUND: VM 'nosuchvm' does not exist", notFound.getMessage());
        assertNull("no stack trace behind it", notFound.getCause());
        assertEquals(0, notFound.getStackTrace().length);

        Exception invalid = failure("qx:vm-create --disk default:lots bad");
        assertTrue(invalid.getMessage(), invalid.getMessage().startsWith("INVALID_ARGUMENT: disk size 'lots'"));
        assertTrue(run("qx:vm-list").lines().noneMatch(l -> l.contains("bad")));
    }
    /**
     * The simulated node's VMs have no guest agent: the agent commands say so (UNSUPPORTED) once the input is
     * checked, and nothing is written on the node.
     */
    @Test
    public void agentCommandsOnAVmWithoutAnAgent() throws Exception {
        assertTrue(run("qx:vm-create --memory 256M agentvm").contains("VM agentvm created"));
        assertTrue(run("qx:vm-start agentvm").contains("RUNNING"));
        Path dir = Files.createTempDirectory("qx-shell-agent");
        Path local = Files.writeString(dir.resolve("note.txt"), "hello");
        Path pulled = dir.resolve("pulled.txt");
        try {
            for (String command : List.of("qx:vm-agent agentvm", "qx:vm-exec agentvm -- uname -a",
                    "qx:vm-exec agentvm --timeout 5 -- true", "qx:vm-file-push agentvm " + local + " /tmp/note.txt",
                    "qx:vm-file-pull agentvm /etc/hostname " + pulled)) {
                String message = failure(command).getMessage();
                assertTrue(command + ": " + message, message.startsWith("UNSUPPORTED: ") && message.contains("simulated"));
            }
            String password = failure("qx:vm-password agentvm root", "Tr0ub4dor&3\nTr0ub4dor&3\n").getMessage();
            assertTrue(password, password.startsWith("UNSUPPORTED: ") && !password.contains("Tr0ub4dor"));

            for (String command : List.of("qx:vm-file-push agentvm " + local + " tmp/note.txt",
                    "qx:vm-file-push agentvm /etc/hostname /tmp/hostname", "qx:vm-exec agentvm --",
                    "qx:vm-password agentvm root:0")) {
                String message = failure(command, "x\nx\n").getMessage();
                assertTrue(command + ": " + message, message.startsWith("INVALID_ARGUMENT: "));
            }
            assertTrue(failure("qx:vm-agent no-such-vm").getMessage().startsWith("NOT_FOUND: "));
            assertFalse(Files.exists(pulled));

            String list = run("qx:vm-list");
            assertTrue(list, list.contains("Guest IPs") && list.lines().anyMatch(l -> l.contains("agentvm")));
        } finally {
            run("qx:vm-stop --force agentvm");
            run("qx:vm-delete agentvm");
        }
    }
}
