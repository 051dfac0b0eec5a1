package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.quantix.api.spi.HostCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/**
 * A private OVN (network-ovn's ovn-env.sh: NB/SB, northd, a userspace br-int with ovn-controller) for the node under
 * test. Started in the test JVM before the node boots, which points the OVN driver's configuration at it; the test
 * stops it at its end, and a shutdown hook is the fallback for a run that never got there.
 */
final class PrivateOvn {
    private static final String DIR_PROPERTY = "quantix.test.ovn.dir";
    private static final String SCRIPT_PROPERTY = "quantix.test.ovn.script";
    /** One OVN per test class (each stops its own): Pax Exam may ask a class for its configuration more than once. */
    private static final java.util.Map<Class<?>, Path> STARTED = new java.util.HashMap<>();

    private PrivateOvn() {
    }

    /** Test JVM side: starts the test class's OVN (once) and answers the node's configuration for it. */
    static synchronized Option[] configuration(Class<?> testClass) {
        Path started = STARTED.computeIfAbsent(testClass, c -> start());
        return new Option[] {
            editConfigurationFilePut("etc/io.quantix.network.ovn.cfg", "nbConnection", "unix:" + started.resolve("nb.sock")),
            editConfigurationFilePut("etc/system.properties", DIR_PROPERTY, started.toString()),
            editConfigurationFilePut("etc/system.properties", SCRIPT_PROPERTY, script().toString()),
        };
    }

    /** Node side: stops every daemon of the OVN and removes its directory. */
    static void stop() {
        HostCommand.run(List.of("sh", System.getProperty(SCRIPT_PROPERTY), "stop", dir().toString()));
    }

    static Path dir() {
        return Path.of(System.getProperty(DIR_PROPERTY));
    }

    static String nbctl(String... args) {
        return HostCommand.run(argv("ovn-nbctl", "--db=unix:" + dir().resolve("nb.sock"), args));
    }

    static String vsctl(String... args) {
        return HostCommand.run(argv("ovs-vsctl", "--db=unix:" + dir().resolve("ovs.sock"), args));
    }

    private static List<String> argv(String tool, String db, String... args) {
        List<String> argv = new ArrayList<>(List.of(tool, db));
        argv.addAll(List.of(args));
        return argv;
    }

    private static File script() {
        try {
            return new File("../bundles/network-ovn/src/test/sh/ovn-env.sh").getCanonicalFile();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path start() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "qxovn");
            Process p = new ProcessBuilder("sh", script().toString(), "start", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/ovn-env.log"))).start();
            assertEquals("ovn-env.sh failed: see itests/target/ovn-env.log", 0, p.waitFor());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> HostCommand.execute(
                    List.of("sh", script().toString(), "stop", dir.toString()), java.time.Duration.ofSeconds(20))));
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start OVN for the test", e);
        }
    }
}
