package io.quantix.network.ovn.internal;

import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.PortSpec;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * The figures of benchmarks/ovn-scale.sh: time to create a network with N ports and a security group of R rules
 * through the driver, on a real NB (given as argument), and the NB transactions it took. Prints; asserts nothing.
 *   java ... OvnScale NB_CONNECTION [ports=100] [rules=50]
 */
public final class OvnScale {
    private OvnScale() {
    }

    public static void main(String[] args) {
        int ports = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rules = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        OvsdbClient client = new OvsdbClient(OvsdbEndpoint.parse(args[0]), Duration.ofSeconds(60));
        OvnNetworkDriver driver = new OvnNetworkDriver(client, "br-int", Optional.empty());
        NetworkSpec net = new NetworkSpec("scale", "ovn", NetworkType.OVERLAY, Optional.of("10.200.0.0/16"),
                Optional.of("10.200.0.1"), true, OptionalInt.empty(), Optional.empty());
        List<SecurityRule> list = new ArrayList<>();
        for (int i = 0; i < rules; i++) {
            list.add(SecurityRule.parse(i % 2 == 0 ? "tcp:" + (1000 + i) + " from tag:role=web" : "udp:" + (2000 + i) + "-" + (2100 + i)
                    + " from 10." + i + ".0.0/16"));
        }
        SecurityGroup group = new SecurityGroup("scale-db", "role=db", list);
        try {
            long t0 = System.nanoTime();
            driver.ensure(net);
            long t1 = System.nanoTime();
            for (int i = 0; i < ports; i++) {
                driver.createPort(net, new PortSpec(UUID.randomUUID().toString(), String.format("0a:c8:00:00:%02x:%02x", i / 256, i % 256),
                        "vm" + i, Set.of(i % 2 == 0 ? "role=web" : "role=db")));
            }
            long t2 = System.nanoTime();
            driver.ensureSecurityGroup(group);
            long t3 = System.nanoTime();
            System.out.printf("network:                 %8.1f ms%n", (t1 - t0) / 1e6);
            System.out.printf("%4d ports:               %8.1f ms  (%.1f ms per port)%n", ports, (t2 - t1) / 1e6, (t2 - t1) / 1e6 / ports);
            System.out.printf("security group, %2d rules: %8.1f ms%n", rules, (t3 - t2) / 1e6);
            System.out.printf("total:                   %8.1f ms%n", (t3 - t0) / 1e6);
            System.out.printf("NB transactions:         %8d  (%d writes, the rest reads)%n", client.transactionCount(), client.writeCount());
        } finally {
            driver.removeSecurityGroup("scale-db");
            driver.remove(net);
            driver.close();
        }
    }
}
