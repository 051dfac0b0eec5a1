package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkSpec;
import io.quantix.api.PortSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router between a tenant network and an "outside" network (standing in for the physical one) on a real
 * OVN: the gateway answers, VMs reach out through SNAT, a floating IP and a load balancer VIP reach their
 * backends from outside, and {@code <vm>.internal} resolves inside the tenant network.
 */
@ExtendWith(OvnEnv.Resolver.class)
class RoutersIT {
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void snatFloatingIpLoadBalancerAndMagicDnsCarryRealTraffic(OvnEnv ovn) {
        OvnNetworkDriver driver = ovn.driver();
        NetworkSpec inside = OvnNetworkDriverIT.overlay("inside", "10.87.0.0/24", "10.87.0.1");
        NetworkSpec outside = OvnNetworkDriverIT.overlay("outside", "192.168.87.0/24", "192.168.87.1");
        PortSpec vm1 = OvnNetworkDriverIT.port("vm1", "0a:87:00:00:00:01");
        PortSpec vm2 = OvnNetworkDriverIT.port("vm2", "0a:87:00:00:00:02");
        PortSpec ext = OvnNetworkDriverIT.port("ext", "0a:87:00:00:00:99");
        Router router = new Router("r1", List.of("inside"), Optional.of(new Router.Uplink("outside", "192.168.87.100", true)),
                List.of(new Router.FloatingIp("192.168.87.50", "vm1")),
                List.of(new Router.LoadBalancer("web", Router.Protocol.TCP, "192.168.87.60", 80,
                        List.of(new Router.Member("10.87.0.2", 8080), new Router.Member("10.87.0.3", 8080)))));
        try {
            driver.ensure(inside);
            driver.ensure(outside);
            driver.createPort(inside, vm1);
            driver.createPort(inside, vm2);
            driver.createPort(outside, ext);
            driver.ensureRouter(router, List.of(inside, outside));
            driver.ensureRouter(router, List.of(inside, outside));
            assertEquals(1, ovn.nbctl("--bare", "--columns=name", "list", "Logical_Router").lines()
                    .filter(l -> l.strip().equals("qx-r-r1")).count(), "ensuring twice makes one router");
            try (Netns n1 = Netns.plug(ovn, vm1.id(), vm1.mac()); Netns n2 = Netns.plug(ovn, vm2.id(), vm2.mac());
                    Netns out = Netns.plug(ovn, ext.id(), ext.mac())) {
                assertEquals("10.87.0.2", n1.dhcp(work));
                assertEquals("10.87.0.3", n2.dhcp(work));
                String extIp = out.dhcp(work);
                assertFalse(extIp.isEmpty());
                // outside knows no route to the tenant network: only NAT gets replies back
                out.exec("ip", "route", "flush", "default");
                n1.serve(22, "vm1");
                n1.serve(8080, "vm1");
                n2.serve(8080, "vm2");
                out.serve(22, "ext");

                assertTrue(n1.ping("10.87.0.1", CONVERGE), "the router answers on the gateway address");
                assertEquals("ext", n2.askWithin(extIp, 22, CONVERGE), "vm2 reaches outside through SNAT");
                assertEquals("vm1", out.askWithin("192.168.87.50", 22, CONVERGE), "the floating IP reaches vm1");
                assertTrue(Set.of("vm1", "vm2").contains(out.askWithin("192.168.87.60", 80, CONVERGE)),
                        "the load balancer VIP reaches a member");

                String answer = n1.exec("busybox", "nslookup", "vm2.internal", "10.87.0.1");
                assertTrue(answer.contains("10.87.0.3"), "vm2.internal resolves inside the network: " + answer);
            }
            QuantixException missing = assertThrows(QuantixException.class, () -> driver.ensureRouter(new Router("r2",
                    List.of("inside"), Optional.of(new Router.Uplink("outside", "192.168.87.101", false)),
                    List.of(new Router.FloatingIp("192.168.87.51", "nosuchvm")), List.of()), List.of(inside, outside)));
            assertEquals(ErrorCode.NOT_FOUND, missing.code());
            assertFalse(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Router").contains("qx-r-r2"), "nothing of r2 written");
        } finally {
            driver.removeRouter("r1");
            driver.deletePort(inside, vm1.id());
            driver.deletePort(inside, vm2.id());
            driver.deletePort(outside, ext.id());
            driver.remove(inside);
            driver.remove(outside);
            driver.close();
        }
        assertFalse(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Router").contains("qx-r-r1"));
        assertFalse(ovn.nbctl("--bare", "--columns=name", "list", "Load_Balancer").contains("qx-r-r1"));
        assertFalse(ovn.nbctl("--bare", "--columns=external_ids", "list", "DNS").contains("inside"));
    }
}
