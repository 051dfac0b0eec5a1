package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.quantix.api.Availability;
import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.RouterService;
import io.quantix.api.service.SecurityGroupService;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
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
 * The OVN driver in the real node on a private OVN ({@link PrivateOvn}): networks and security groups are made through
 * the services, removing the feature leaves them defined but UNAVAILABLE, and installing it again reconciles NB with
 * what changed meanwhile.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OvnHotSwapIT extends QuantixTestSupport {
    /**
     * Karaf registers it once the boot features are provisioned: a feature installed before that can be dropped from
     * the installed list by the boot provisioning that is still running (seen: "not installed" on uninstall).
     */
    @Inject
    BootFinished bootFinished;
    @Inject
    FeaturesService features;
    @Inject
    NetworkService networks;
    @Inject
    SecurityGroupService groups;
    @Inject
    RouterService routers;

    @Override
    @Configuration
    public Option[] config() {
        if (System.getProperty("karaf.base") != null) {
            return super.config(); // inside the node: the test JVM has configured it already
        }
        return OptionUtils.combine(super.config(), PrivateOvn.configuration(OvnHotSwapIT.class));
    }

    @Test
    public void networksOutliveTheDriverAndReconcileWhenItReturns() throws Exception {
        try {
            PrivateOvn.start();
            swapAndReconcile();
        } finally {
            PrivateOvn.stop();
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
        groups.put(new SecurityGroup("old", "role=web", List.of(SecurityRule.parse("tcp:22 from 0.0.0.0/0"))));
        assertEquals(List.of("qx-swapnet"), switches());
        assertTrue(acls("old") > 0);

        features.uninstallFeature("quantix-network-ovn");
        await("the network is UNAVAILABLE", () -> networks.get("swapnet").status() == Availability.UNAVAILABLE);
        assertFails(ErrorCode.BACKEND_UNAVAILABLE, () -> networks.delete("swapnet"));
        // while the driver is away: one group goes, another comes
        groups.delete("old");
        groups.put(new SecurityGroup("new", "role=db", List.of(SecurityRule.parse("tcp:5432 from tag:role=web"))));
        assertEquals("NB is not touched without the driver", List.of("qx-swapnet"), switches());

        features.installFeature("quantix-network-ovn");
        await("the network is AVAILABLE again", () -> networks.get("swapnet").status() == Availability.AVAILABLE);
        await("NB reconciled", () -> acls("old") == 0 && acls("new") == 3);
        assertEquals("no duplicate switch", List.of("qx-swapnet"), switches());

        groups.delete("new");
        routers.put(new Router("r1", List.of("swapnet"), Optional.empty(), List.of(), List.of()));
        QuantixException inUse = assertFails(ErrorCode.CONFLICT, () -> networks.delete("swapnet"));
        assertTrue(inUse.getMessage(), inUse.getMessage().contains("router 'r1'"));
        assertEquals("refused before anything was removed", List.of("qx-swapnet"), switches());
        routers.delete("r1");
        networks.delete("swapnet");
        assertEquals(List.of(), switches());
    }

    private static boolean rethrow(RuntimeException e) {
        throw e;
    }

    private static List<String> switches() {
        return PrivateOvn.nbctl("--bare", "--columns=name", "list", "Logical_Switch").lines().map(String::strip)
                .filter(l -> l.startsWith("qx-")).sorted().toList();
    }

    private static long acls(String group) {
        return PrivateOvn.nbctl("--bare", "--columns=_uuid", "find", "ACL", "external_ids:quantix\\:sg=" + group).lines()
                .filter(l -> !l.isBlank()).count();
    }
}
