package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.NetworkSpec;
import io.quantix.api.PortSpec;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Security groups on a real OVN, proven with TCP connections between namespaces. */
@ExtendWith(OvnEnv.Resolver.class)
class SecurityGroupsIT {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static OvnEnv ovn;
    private static OvnNetworkDriver driver;

    @TempDir
    Path work;

    @BeforeAll
    static void up(OvnEnv env) {
        ovn = env;
        driver = env.driver();
    }

    @AfterAll
    static void down() {
        driver.close();
    }

    @Test
    void cidrAndTagRulesLetInOnlyWhatTheyAllowAndRetaggingMovesMembershipNotRules() {
        NetworkSpec net = OvnNetworkDriverIT.overlay("sg-net", "10.83.0.0/24", "10.83.0.1");
        driver.ensure(net);
        PortSpec web = OvnNetworkDriverIT.port("web1", "0a:83:00:00:00:01", "role=web");
        PortSpec db = OvnNetworkDriverIT.port("db1", "0a:83:00:00:00:02", "role=db");
        PortSpec client = OvnNetworkDriverIT.port("client1", "0a:83:00:00:00:03");
        SecurityGroup sshOnly = new SecurityGroup("web-ssh", "role=web", List.of(SecurityRule.parse("tcp:22 from 0.0.0.0/0")));
        SecurityGroup dbFromWeb = new SecurityGroup("db-from-web", "role=db", List.of(SecurityRule.parse("tcp:5432 from tag:role=web")));
        try {
            driver.createPort(net, web);
            driver.createPort(net, db);
            driver.createPort(net, client);
            driver.ensureSecurityGroup(sshOnly);
            driver.ensureSecurityGroup(dbFromWeb);
            driver.ensureSecurityGroup(dbFromWeb);
            try (Netns nsWeb = Netns.plug(ovn, web.id(), web.mac()); Netns nsDb = Netns.plug(ovn, db.id(), db.mac());
                    Netns nsClient = Netns.plug(ovn, client.id(), client.mac())) {
                String ipWeb = nsWeb.dhcp(work);
                String ipDb = nsDb.dhcp(work);
                String ipClient = nsClient.dhcp(work);
                assertFalse(ipWeb.isEmpty() || ipDb.isEmpty() || ipClient.isEmpty(), "members get DHCP leases through the ACLs");
                nsWeb.serve(22);
                nsWeb.serve(80);
                nsDb.serve(5432);
                nsDb.serve(22);

                assertTrue(nsClient.connectsWithin(ipWeb, 22, CONVERGE), "tcp 22 to web is allowed");
                assertFalse(nsClient.connects(ipWeb, 80), "tcp 80 to web is dropped");
                assertTrue(nsWeb.connectsWithin(ipDb, 5432, CONVERGE), "web reaches db on 5432");
                assertFalse(nsWeb.connects(ipDb, 22), "and nothing else on db");
                assertFalse(nsClient.connects(ipDb, 5432), "a VM without the web tag does not reach db");
                assertTrue(nsWeb.ping(ipClient, CONVERGE), "members send freely and get their replies");

                String acls = ovn.nbctl("--bare", "--columns=_uuid", "list", "ACL");
                driver.updatePort(net, new PortSpec(client.id(), client.mac(), "client1", Set.of("role=web")));
                assertTrue(nsClient.connectsWithin(ipDb, 5432, CONVERGE), "tagged web, the client reaches db");
                assertEquals(acls, ovn.nbctl("--bare", "--columns=_uuid", "list", "ACL"), "no ACL was touched");
                driver.updatePort(net, client);
                assertTrue(nsClient.blockedWithin(ipDb, 5432, CONVERGE), "untagged again, it is dropped again");
            }
            driver.removeSecurityGroup("web-ssh");
            driver.removeSecurityGroup("db-from-web");
            assertEquals("", ovn.nbctl("--bare", "--columns=_uuid", "find", "ACL", "external_ids:quantix\\:sg=web-ssh").strip());
        } finally {
            driver.removeSecurityGroup("web-ssh");
            driver.removeSecurityGroup("db-from-web");
            driver.deletePort(net, web.id());
            driver.deletePort(net, db.id());
            driver.deletePort(net, client.id());
            driver.remove(net);
        }
    }
}
