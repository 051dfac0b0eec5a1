package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.quantix.api.Availability;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.SecurityGroupService;
import io.quantix.api.spi.HostCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The OVN driver in the real node on a private OVN (network-ovn's ovn-env.sh, started by the test JVM and stopped
 * when it exits): networks and security groups are made through the services, removing the feature leaves them
 * defined but UNAVAILABLE, and installing it again reconciles NB with what changed meanwhile.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OvnHotSwapIT extends QuantixTestSupport {
    private static final String DIR_PROPERTY = "quantix.test.ovn.dir";
    private static final String SCRIPT_PROPERTY = "quantix.test.ovn.script";
    /** The OVN of this test JVM: Pax Exam may ask for the configuration more than once. */
    private static Path ovnDir;

    @Inject
    FeaturesService features;
    @Inject
    NetworkService networks;
    @Inject
    SecurityGroupService groups;

    @Override
    @Configuration
    public Option[] config() {
        if (System.getProperty("karaf.base") != null) {
            return super.config(); // inside the node: the test JVM has configured it already
        }
        Path dir = startOvn();
        return OptionUtils.combine(super.config(),
                editConfigurationFilePut("etc/io.quantix.network.ovn.cfg", "nbConnection", "unix:" + dir.resolve("nb.sock")),
                editConfigurationFilePut("etc/system.properties", DIR_PROPERTY, dir.toString()),
                editConfigurationFilePut("etc/system.properties", SCRIPT_PROPERTY, script().toString()));
    }

    @Test
    public void networksOutliveTheDriverAndReconcileWhenItReturns() throws Exception {
        try {
            swapAndReconcile();
        } finally {
            HostCommand.run(List.of("sh", System.getProperty(SCRIPT_PROPERTY), "stop", System.getProperty(DIR_PROPERTY)));
        }
    }

    private void swapAndReconcile() throws Exception {
        features.installFeature("quantix-network-ovn");
        NetworkSpec spec = new NetworkSpec("swapnet", "ovn", NetworkType.OVERLAY, Optional.of("10.90.0.0/24"),
                Optional.of("10.90.0.1"), true, OptionalInt.empty(), Optional.empty());
        await("the ovn driver takes a network", () -> {
            try {
                networks.create(spec);
                return true;
            } catch (io.quantix.api.QuantixException e) {
                return e.code() == ErrorCode.BACKEND_UNAVAILABLE ? false : rethrow(e);
            }
        });
        groups.put(new SecurityGroup("old", "web", List.of(SecurityRule.parse("tcp:22 from 0.0.0.0/0"))));
        assertEquals(List.of("qx-swapnet"), switches());
        assertTrue(acls("old") > 0);

        features.uninstallFeature("quantix-network-ovn");
        await("the network is UNAVAILABLE", () -> networks.get("swapnet").status() == Availability.UNAVAILABLE);
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> networks.delete("swapnet"));
        // while the driver is away: one group goes, another comes
        groups.delete("old");
        groups.put(new SecurityGroup("new", "db", List.of(SecurityRule.parse("tcp:5432 from tag:web"))));
        assertEquals("NB is not touched without the driver", List.of("qx-swapnet"), switches());

        features.installFeature("quantix-network-ovn");
        await("the network is AVAILABLE again", () -> networks.get("swapnet").status() == Availability.AVAILABLE);
        await("NB reconciled", () -> acls("old") == 0 && acls("new") == 3);
        assertEquals("no duplicate switch", List.of("qx-swapnet"), switches());

        groups.delete("new");
        networks.delete("swapnet");
        assertEquals(List.of(), switches());
    }

    private static boolean rethrow(RuntimeException e) {
        throw e;
    }

    private static List<String> switches() {
        return nbctl("--bare", "--columns=name", "list", "Logical_Switch").lines().map(String::strip)
                .filter(l -> l.startsWith("qx-")).sorted().toList();
    }

    private static long acls(String group) {
        return nbctl("--bare", "--columns=_uuid", "find", "ACL", "external_ids:quantix\\:sg=" + group).lines()
                .filter(l -> !l.isBlank()).count();
    }

    private static String nbctl(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("ovn-nbctl", "--db=unix:" + System.getProperty(DIR_PROPERTY) + "/nb.sock"));
        argv.addAll(List.of(args));
        return HostCommand.run(argv);
    }

    private static File script() {
        try {
            return new File("../bundles/network-ovn/src/test/sh/ovn-env.sh").getCanonicalFile();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Runs in the test JVM, before the node boots. The test stops OVN at its end; the shutdown hook is the
     * fallback for a run that never got there.
     */
    private static synchronized Path startOvn() {
        if (ovnDir != null) {
            return ovnDir;
        }
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "qxovn");
            Process p = new ProcessBuilder("sh", script().toString(), "start", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(new File("target/ovn-env.log")).start();
            assertEquals("ovn-env.sh failed: see itests/target/ovn-env.log", 0, p.waitFor());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> HostCommand.execute(
                    List.of("sh", script().toString(), "stop", dir.toString()), java.time.Duration.ofSeconds(20))));
            ovnDir = dir;
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start OVN for the test", e);
        }
    }
}
