package io.quantix.itests;

import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.quantix.api.spi.HostCommand;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;

/**
 * A private OVN (network-ovn's ovn-env.sh: NB/SB, northd, a userspace br-int with ovn-controller) for the node under
 * test. The test JVM only picks its directory and points the OVN driver's configuration at it; the test itself starts
 * it ({@link #start()}) and stops it in a {@code finally}. Pax Exam asks every class for its configuration when it
 * builds the runners, before any test runs: an OVN started there ran for the whole suite beside the other classes',
 * and one whose test never ran (a probe that did not install) was never stopped.
 */
final class PrivateOvn {
    private static final String DIR_PROPERTY = "quantix.test.ovn.dir";
    private static final String SCRIPT_PROPERTY = "quantix.test.ovn.script";
    private static final String LOG_PROPERTY = "quantix.test.ovn.log";
    /** Package installs on a fresh machine included. */
    private static final Duration START_LIMIT = Duration.ofMinutes(5);
    /** One directory per test class: Pax Exam may ask a class for its configuration more than once. */
    private static final Map<Class<?>, Path> DIRS = new HashMap<>();

    private PrivateOvn() {
    }

    /**
     * Test JVM side: the node's configuration for the test class's OVN. The shutdown hook stops it if the test was cut
     * off between its start and its {@code finally} (stopping an OVN that never started does nothing).
     */
    static synchronized Option[] configuration(Class<?> testClass) {
        Path dir = DIRS.computeIfAbsent(testClass, c -> {
            // short (Unix socket paths have at most 107 bytes) and not created here: ovn-env.sh makes it
            Path d = Path.of("/tmp", "qxovn" + Long.toUnsignedString(new SecureRandom().nextLong(), 36));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> HostCommand.execute(
                    List.of("sh", script().toString(), "stop", d.toString()), Duration.ofSeconds(20))));
            return d;
        });
        return new Option[] {
            editConfigurationFilePut("etc/io.quantix.network.ovn.cfg", "nbConnection", "unix:" + dir.resolve("nb.sock")),
            editConfigurationFilePut("etc/system.properties", DIR_PROPERTY, dir.toString()),
            editConfigurationFilePut("etc/system.properties", SCRIPT_PROPERTY, script().toString()),
            editConfigurationFilePut("etc/system.properties", LOG_PROPERTY, new File("target/ovn-env.log").getAbsolutePath()),
        };
    }

    /**
     * Node side: starts the OVN and returns once ovn-env.sh has seen br-int's datapath and the chassis registered. Its
     * datapath is the "dummy" registration of OVS's userspace datapath, which makes no host devices: the "netdev" one
     * makes ovs-netdev and br-int once per host, so beside another OVN on the machine (another class's, another run's)
     * it had no datapath and forwarded nothing. The node's VMs are the libvirt test driver's, so nothing here needs
     * what only netdev gives (a host br-int for libvirt to plug a real guest's tap).
     */
    static void start() throws IOException, InterruptedException {
        File log = new File(System.getProperty(LOG_PROPERTY));
        ProcessBuilder pb = new ProcessBuilder("sh", System.getProperty(SCRIPT_PROPERTY), "start", dir().toString());
        pb.environment().put("OVN_ENV_DATAPATH", "dummy");
        Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (!p.waitFor(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ovn-env.sh did not start OVN in " + dir() + " within " + START_LIMIT + ": see " + log);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("ovn-env.sh could not start OVN in " + dir() + " (exit " + p.exitValue() + "): see " + log);
        }
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

    static String sbctl(String... args) {
        return HostCommand.run(argv("ovn-sbctl", "--db=unix:" + dir().resolve("sb.sock"), args));
    }

    static String vsctl(String... args) {
        return HostCommand.run(argv("ovs-vsctl", "--db=unix:" + dir().resolve("ovs.sock"), args));
    }

    /**
     * For failure messages: the members of every Quantix tag port group by VM, e.g. {@code role=db=[qx-net-db1]}
     * (the driver names a tag's group {@code qx_tag_<hex of the tag>}).
     */
    static String portGroups() {
        List<String> groups = new ArrayList<>();
        for (String line : nbctl("--format=csv", "--data=bare", "--no-headings", "--columns=name,ports", "list", "Port_Group")
                .lines().toList()) {
            String[] columns = line.split(",", 2);
            if (!columns[0].startsWith("qx_tag_")) {
                continue;
            }
            String tag = new String(HexFormat.of().parseHex(columns[0].substring("qx_tag_".length())), StandardCharsets.UTF_8);
            List<String> vms = columns.length < 2 || columns[1].isBlank() ? List.of()
                    : Stream.of(columns[1].strip().split(" ")).map(uuid -> nbctl("get", "Logical_Switch_Port", uuid,
                            "external_ids:\"quantix:vm\"").strip().replace("\"", "")).sorted().toList();
            groups.add(tag + "=" + vms);
        }
        return groups.isEmpty() ? "none" : String.join(", ", groups);
    }

    private static List<String> argv(String tool, String db, String... args) {
        List<String> argv = new ArrayList<>(List.of(tool, db));
        argv.addAll(List.of(args));
        return argv;
    }

    private static File script() {
        try {
            return new File("../bundles/network-ovn/src/test/sh/ovn-env.sh").getCanonicalFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
