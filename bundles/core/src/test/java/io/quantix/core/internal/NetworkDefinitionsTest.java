package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.Router;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Security groups and routers survive the trip through their etc/*.cfg form unchanged. */
class NetworkDefinitionsTest {

    @Test
    void aSecurityGroupRoundTripsThroughItsConfiguration() {
        SecurityGroup g = new SecurityGroup("db", "role=db", List.of(SecurityRule.parse("tcp:5432 from tag:role=web"),
                SecurityRule.parse("icmp from 10.0.0.0/8"), SecurityRule.parse("udp:1000-2000 from 0.0.0.0/0")));
        assertEquals(g, SecurityGroupManager.decode(named("db", SecurityGroupManager.encode(g))));
    }

    @Test
    void aRouterRoundTripsThroughItsConfiguration() {
        Router r = new Router("edge", List.of("tenant-a", "tenant-b"), Optional.of(new Router.Uplink("physical", "192.168.1.10", true)),
                List.of(new Router.FloatingIp("192.168.1.50", "web1")),
                List.of(new Router.LoadBalancer("web", Router.Protocol.TCP, "192.168.1.60", 80,
                        List.of(Router.Member.parse("10.0.0.5:8080"), Router.Member.parse("10.0.0.6:8080")))));
        assertEquals(r, RouterManager.decode(named("edge", RouterManager.encode(r))));
        Router bare = new Router("inner", List.of("a"), Optional.empty(), List.of(), List.of());
        assertEquals(bare, RouterManager.decode(named("inner", RouterManager.encode(bare))));
    }

    private static Map<String, String> named(String name, Map<String, String> props) {
        Map<String, String> all = new HashMap<>(props);
        all.put(DefinitionStore.NAME, name);
        return all;
    }
}
