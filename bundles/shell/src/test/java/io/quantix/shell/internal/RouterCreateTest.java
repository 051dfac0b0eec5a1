package io.quantix.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterCreateTest {

    @Test
    void parsesFloatingIpsAndLoadBalancers() {
        assertEquals(new Router.FloatingIp("192.168.1.50", "web1"), RouterCreate.fip("192.168.1.50=web1"));
        assertEquals(new Router.LoadBalancer("web", Router.Protocol.TCP, "192.168.1.60", 80,
                List.of(new Router.Member("10.0.0.5", 8080), new Router.Member("10.0.0.6", 8080))),
                RouterCreate.lb("web,tcp,192.168.1.60:80,10.0.0.5:8080,10.0.0.6:8080"));
    }

    @Test
    void rejectsMalformedOnes() {
        for (String bad : new String[] {"web,tcp,192.168.1.60:80", "web,sctp,192.168.1.60:80,10.0.0.5:1",
                "web,tcp,192.168.1.60:0,10.0.0.5:1", "web,tcp,1.2.3:80,10.0.0.5:1"}) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> RouterCreate.lb(bad), bad).code(), bad);
        }
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> RouterCreate.fip("10.0.0.1")).code());
    }
}
