package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;

/**
 * The web console end to end: webconsole/e2e/run.mjs drives Debian's Chromium (playwright-core) against a real node
 * from the distribution zip (bin/karaf server, own directories, free loopback ports, libvirt's test driver): a wrong
 * password's error, login and the cookie's attributes, the dashboard, a VM made by the wizard, power actions seen
 * through the event stream without a reload, a duplicate name's toast, a write without the CSRF token refused.
 * Its checks and figures are in target/WebConsoleIT.out; its screenshots in target/webconsole-shots/.
 * Not a Pax Exam test: the browser needs the node's real HTTPS port. Needs root for Chromium's install.
 */
public class WebConsoleIT {
    /** The node's boot (up to 3 min on a loaded machine, bounded in the script) and the browser's steps. */
    private static final long LIMIT_MINUTES = 8;

    @Test
    public void theConsoleDrivesARealNodeInChromium() throws Exception {
        Assume.assumeTrue("needs root: the setup installs Debian's chromium", "root".equals(System.getProperty("user.name")));
        Path webconsole = Path.of("..", "webconsole").toAbsolutePath().normalize();
        Assume.assumeTrue("webconsole/node_modules is made by the webconsole module's npm ci",
                Files.isDirectory(webconsole.resolve("node_modules/playwright-core")));
        String version = System.getProperty("quantix.version");
        Path zip = Path.of(System.getProperty("maven.repo.local"), "io", "quantix", "quantix-karaf-distribution", version,
                "quantix-karaf-distribution-" + version + ".zip");
        assertEquals("e2e-env.sh (installs chromium)", 0, run(webconsole, List.of("sh", "e2e/e2e-env.sh"), "WebConsoleIT-env.out", 10));
        Path out = Path.of("target", "WebConsoleIT.out").toAbsolutePath();
        int exit = run(webconsole, List.of("node", "e2e/run.mjs", zip.toString(),
                Path.of("target", "webconsole-shots").toAbsolutePath().toString()), "WebConsoleIT.out", LIMIT_MINUTES);
        assertEquals("the e2e script failed; see " + out + ":\n" + Files.readString(out), 0, exit);
        assertTrue(Files.readString(out).contains("ok - a write without the CSRF token is refused"));
    }

    private static int run(Path dir, List<String> command, String output, long minutes) throws Exception {
        Path out = Path.of("target", output).toAbsolutePath();
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + minutes + " min; see " + out);
        }
        return p.exitValue();
    }
}
