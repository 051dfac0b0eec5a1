package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.NetworkSpec;
import io.quantix.api.PortSpec;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.spi.Reconciliation;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver goes away (bundle stopped: its component deactivates) while definitions change, then comes back:
 * reconcile removes what was deleted meanwhile and ensures the definitions, with nothing duplicated and nothing
 * left over; what it is not told about it leaves alone.
 */
@ExtendWith(OvnEnv.Resolver.class)
class HotSwapReconcileIT {

    @Test
    void aReturningDriverReconcilesNbWithTheDefinitions(OvnEnv ovn) {
        NetworkSpec a = OvnNetworkDriverIT.overlay("swap-a", "10.84.0.0/24", "10.84.0.1");
        NetworkSpec b = OvnNetworkDriverIT.overlay("swap-b", "10.85.0.0/24", "10.85.0.1");
        NetworkSpec c = OvnNetworkDriverIT.overlay("swap-c", "10.86.0.0/24", "10.86.0.1");
        SecurityGroup g1 = new SecurityGroup("swap-g1", "role=app", List.of(SecurityRule.parse("tcp:443 from 0.0.0.0/0")));
        SecurityGroup g2 = new SecurityGroup("swap-g2", "role=app", List.of(SecurityRule.parse("udp:53 from tag:role=app")));
        PortSpec port = OvnNetworkDriverIT.port("app1", "0a:84:00:00:00:01", "role=app");

        OvnNetworkDriver before = ovn.driver();
        before.ensure(a);
        before.ensure(b);
        before.createPort(a, port);
        before.ensureSecurityGroup(g1);
        before.ensureSecurityGroup(g2);
        before.close();
        // while it is away: b and g2 are deleted, c is defined (the core keeps definitions, NB is not told)

        OvnNetworkDriver after = ovn.driver();
        try {
            Reconciliation back = new Reconciliation(List.of(a, c), List.of(g1), List.of(), Set.of("swap-b"), Set.of("swap-g2"), Set.of());
            after.reconcile(back);
            String state = nbState(ovn);
            after.reconcile(back);
            assertEquals(state, nbState(ovn), "a second reconcile changes nothing");

            assertEquals(List.of("qx-swap-a", "qx-swap-c"), lines(ovn.nbctl("--bare", "--columns=name", "find", "Logical_Switch",
                    "external_ids:quantix\\:network!=\"\"")).stream().filter(n -> n.startsWith("qx-swap")).sorted().toList());
            assertEquals(2, lines(ovn.nbctl("--bare", "--columns=cidr", "list", "DHCP_Options")).stream()
                    .filter(x -> x.startsWith("10.84.") || x.startsWith("10.86.")).count());
            assertEquals(0, lines(ovn.nbctl("--bare", "--columns=cidr", "list", "DHCP_Options")).stream()
                    .filter(x -> x.startsWith("10.85.")).count(), "b's DHCP options are gone");
            assertEquals(OvnSecurityGroups.compile(g1).size(),
                    lines(ovn.nbctl("--bare", "--columns=_uuid", "find", "ACL", "external_ids:quantix\\:sg=swap-g1")).size(),
                    "g1's ACLs once each");
            assertTrue(lines(ovn.nbctl("--bare", "--columns=_uuid", "find", "ACL", "external_ids:quantix\\:sg=swap-g2")).isEmpty(),
                    "g2's ACLs are gone");
            assertTrue(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch_Port").contains(port.id()), "a's port stays");
        } finally {
            after.removeSecurityGroup("swap-g1");
            after.remove(a);
            after.remove(c);
            after.close();
        }
    }

    /**
     * A node starting with a clean data directory, before FileInstall has loaded etc/*.cfg: the driver is told no
     * definitions and no deletions. NB must come out exactly as it was: undefined is not deleted.
     */
    @Test
    void aReconcileBeforeTheDefinitionsAreLoadedDeletesNothing(OvnEnv ovn) {
        NetworkSpec kept = OvnNetworkDriverIT.overlay("early-a", "10.87.0.0/24", "10.87.0.1");
        SecurityGroup group = new SecurityGroup("early-g", "role=app", List.of(SecurityRule.parse("tcp:443 from 0.0.0.0/0")));
        PortSpec port = OvnNetworkDriverIT.port("early1", "0a:87:00:00:00:01", "role=app");
        OvnNetworkDriver driver = ovn.driver();
        try {
            driver.ensure(kept);
            driver.createPort(kept, port);
            driver.ensureSecurityGroup(group);
            String before = nbState(ovn);

            driver.reconcile(new Reconciliation(List.of(), List.of(), List.of(), Set.of(), Set.of(), Set.of()));

            assertEquals(before, nbState(ovn), "nothing in NB changed");
            assertTrue(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch_Port").contains(port.id()), "the port is still there");
        } finally {
            driver.removeSecurityGroup("early-g");
            driver.remove(kept);
            driver.close();
        }
    }

    private static String nbState(OvnEnv ovn) {
        return ovn.nbctl("show") + ovn.nbctl("--bare", "--columns=_uuid,match", "list", "ACL")
                + ovn.nbctl("--bare", "--columns=_uuid,cidr", "list", "DHCP_Options")
                + ovn.nbctl("--bare", "--columns=name,ports", "list", "Port_Group");
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
