package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Router;
import io.quantix.api.Validation;
import io.quantix.api.service.RouterService;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "router-create", description = "Creates a router between networks, or replaces its definition")
public class RouterCreate extends QxAction {
    @Reference
    RouterService routers;

    @Argument(name = "name", required = true, description = "router name")
    String name;

    @Option(name = "--network", required = true, multiValued = true, description = "a network it routes (its gateway address)")
    @Completion(NetworkNameCompleter.class)
    List<String> networks;

    @Option(name = "--uplink", description = "NETWORK:ADDRESS, the router's address on the uplink network")
    String uplink;

    @Option(name = "--snat", description = "the networks reach out through the uplink address")
    boolean snat;

    @Option(name = "--fip", multiValued = true, description = "floating IP: ADDRESS=VM")
    List<String> fips = List.of();

    @Option(name = "--lb", multiValued = true, description = "load balancer: NAME,tcp|udp,VIP:PORT,MEMBER:PORT[,MEMBER:PORT...]")
    List<String> lbs = List.of();

    @Override
    protected Object run() {
        Router r = routers.put(new Router(name, networks, Optional.ofNullable(uplink).map(this::uplink),
                fips.stream().map(RouterCreate::fip).toList(), lbs.stream().map(RouterCreate::lb).toList()));
        System.out.println("router " + r.name() + " on " + String.join(", ", r.networks()));
        return null;
    }

    private Router.Uplink uplink(String text) {
        String[] p = text.split(":", 2);
        if (p.length != 2) {
            throw QuantixException.invalid("uplink " + Validation.quote(text) + " is invalid: use NETWORK:ADDRESS");
        }
        return new Router.Uplink(p[0], p[1], snat);
    }

    static Router.FloatingIp fip(String text) {
        String[] p = text.split("=", 2);
        if (p.length != 2) {
            throw QuantixException.invalid("floating IP " + Validation.quote(text) + " is invalid: use ADDRESS=VM");
        }
        return new Router.FloatingIp(p[0], p[1]);
    }

    static Router.LoadBalancer lb(String text) {
        String[] p = text.split(",");
        if (p.length < 4) {
            throw QuantixException.invalid("load balancer " + Validation.quote(text)
                    + " is invalid: use NAME,tcp|udp,VIP:PORT,MEMBER:PORT[,MEMBER:PORT...]");
        }
        Router.Protocol protocol = Choices.of("protocol", p[1], Router.Protocol.class);
        Router.Member vip = Router.Member.parse(p[2]);
        return new Router.LoadBalancer(p[0], protocol, vip.address(), vip.port(),
                Stream.of(p).skip(3).map(Router.Member::parse).toList());
    }
}
