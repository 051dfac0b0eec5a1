package io.quantix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecurityRuleTest {

    @Test
    void theTextFormRoundTrips() {
        for (String text : List.of("tcp:22 from 0.0.0.0/0", "tcp:5432 from tag:role=web", "udp:1000-2000 from 10.0.0.0/8",
                "icmp from 192.168.1.0/24", "any from tag:db")) {
            assertEquals(text, SecurityRule.parse(text).toString());
        }
        SecurityRule r = SecurityRule.parse("TCP:80-81 from tag:Web");
        assertEquals(SecurityRule.Protocol.TCP, r.protocol());
        assertEquals(Optional.of(new SecurityRule.PortRange(80, 81)), r.ports());
        assertEquals(new SecurityRule.Source.Tag("Web"), r.source());
    }

    @Test
    void badRulesAreRefusedWithTheReason() {
        for (String bad : List.of("tcp:0 from 0.0.0.0/0", "tcp:65536 from 0.0.0.0/0", "tcp:90-80 from 0.0.0.0/0",
                "icmp:22 from 0.0.0.0/0", "sctp:1 from 0.0.0.0/0", "tcp:22 from 10.0.0.1/8", "tcp:22 from ::/0",
                "tcp:22 from tag:a;b", "tcp:22 from tag:role=", "tcp:22 from tag:=web", "tcp:22 from tag:a=b=c", "tcp:22", "tcp:22 from 10.0.0.0/33", "")) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> SecurityRule.parse(bad)).code(), bad);
        }
    }

    @Test
    void aGroupRefusesDuplicateRulesAndBadTags() {
        SecurityRule ssh = SecurityRule.parse("tcp:22 from 0.0.0.0/0");
        assertThrows(QuantixException.class, () -> new SecurityGroup("g", "web", List.of(ssh, ssh)));
        assertThrows(QuantixException.class, () -> new SecurityGroup("g", "we b", List.of(ssh)));
        assertThrows(QuantixException.class, () -> new SecurityGroup("g", "role=we b", List.of(ssh)));
        assertEquals(1, new SecurityGroup("g", "web", List.of(ssh)).rules().size());
        assertEquals("role=db", new SecurityGroup("g", "role=db", List.of(ssh)).appliesTo());
    }
}
