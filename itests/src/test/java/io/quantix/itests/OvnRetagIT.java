package io.quantix.itests;

import static org.junit.Assert.assertEquals;

import io.quantix.api.ErrorCode;
import io.quantix.api.NetworkPort;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerState;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.service.NetworkService;
import io.quantix.api.service.SecurityGroupService;
import io.quantix.api.service.VmService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
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
 * Retagging a running VM through {@link VmService} on a real OVN moves its port between security groups: with
 * {@code role=web} it reaches the {@code role=db} VM on 5432, without it it does not, and no ACL changes. The VMs are
 * the node's (libvirt test driver, so their NICs are namespaces standing in for taps; see {@link GuestNamespace}).
 * Beside each security-group check a control that the group does not govern (the db reaching the client, whose VM no
 * group applies to) shows the network itself forwards, so a broken network fails as that and not as a drop.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OvnRetagIT extends QuantixTestSupport {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final String NET = "tagnet";
    /** The client VM's own server, for the control. */
    private static final int CLIENT_PORT = 8080;

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
    VmService vms;

    @Override
    @Configuration
    public Option[] config() {
        if (System.getProperty("karaf.base") != null) {
            return super.config();
        }
        return OptionUtils.combine(super.config(), PrivateOvn.configuration(OvnRetagIT.class));
    }

    @Test
    public void retaggingARunningVmMovesItBetweenSecurityGroupsAndChangesNoRule() throws Exception {
        try {
            PrivateOvn.start();
            features.installFeature("quantix-network-ovn");
            NetworkSpec spec = new NetworkSpec(NET, "ovn", NetworkType.OVERLAY, Optional.of("10.91.0.0/24"),
                    Optional.of("10.91.0.1"), true, OptionalInt.empty(), Optional.empty());
            await("the ovn driver takes a network", () -> {
                try {
                    networks.create(spec);
                    return true;
                } catch (io.quantix.api.QuantixException e) {
                    if (e.code() != ErrorCode.BACKEND_UNAVAILABLE) {
                        throw e;
                    }
                    return false;
                }
            });
            retag();
        } finally {
            PrivateOvn.stop();
        }
    }

    private void retag() throws Exception {
        groups.put(new SecurityGroup("db-from-web", "role=db", List.of(SecurityRule.parse("tcp:5432 from tag:role=web"))));
        vms.create(vm("qx-net-db1").tag("role=db").build(), true);
        Vm client = vms.create(vm("qx-net-client1").tag("env=test").build(), true);
        assertEquals(PowerState.RUNNING, client.state());
        NetworkPort dbPort = port("qx-net-db1");
        NetworkPort clientPort = port("qx-net-client1");
        String db = dbPort.address().orElseThrow();
        String clientIp = clientPort.address().orElseThrow();
        // each waits until OVN has the port up, and each server until it answers on its own address
        try (GuestNamespace nsDb = GuestNamespace.plug(dbPort, 24);
                GuestNamespace nsClient = GuestNamespace.plug(clientPort, 24)) {
            nsDb.serve(5432);
            nsClient.serve(CLIENT_PORT);
            nsDb.assertAnswered("the network forwards: the db reaches the client", clientIp, CLIENT_PORT, CONVERGE);
            nsClient.assertDropped("untagged, the client is dropped", db, 5432, CONVERGE);

            Vm web = vms.retag("qx-net-client1", Set.of("role=web", "env=test"));
            assertEquals(Set.of("role=web", "env=test"), web.spec().tags());
            nsClient.assertAnswered("tagged role=web, the client reaches db on 5432", db, 5432, CONVERGE);
            String acls = PrivateOvn.nbctl("--bare", "--columns=_uuid,match", "list", "ACL");

            assertFails(ErrorCode.INVALID_ARGUMENT, () -> vms.retag("qx-net-client1", Set.of("role=we b")));
            assertEquals("bad tags change nothing", Set.of("role=web", "env=test"), vms.get("qx-net-client1").spec().tags());

            vms.retag("qx-net-client1", Set.of("env=test"));
            nsClient.assertDropped("without role=web it is dropped", db, 5432, CONVERGE);
            nsDb.assertAnswered("the network still forwards: the db reaches the client", clientIp, CLIENT_PORT, CONVERGE);
            assertEquals(Set.of("env=test"), vms.get("qx-net-client1").spec().tags());
            assertEquals("no ACL was touched", acls, PrivateOvn.nbctl("--bare", "--columns=_uuid,match", "list", "ACL"));

            vms.retag("qx-net-client1", Set.of("role=web"));
            nsClient.assertAnswered("tagged again, it reaches db again", db, 5432, CONVERGE);
        } finally {
            for (String name : List.of("qx-net-db1", "qx-net-client1")) {
                vms.power(name, io.quantix.api.PowerAction.FORCE_STOP);
                vms.delete(name, true);
            }
            groups.delete("db-from-web");
            networks.delete(NET);
        }
    }

    private static VmSpec.Builder vm(String name) {
        return VmSpec.builder(name).nic(new NicSpec(NET, Optional.empty(), NicModel.VIRTIO));
    }

    private NetworkPort port(String vm) {
        return networks.ports(Optional.of(NET)).stream().filter(p -> p.vm().equals(vm)).findFirst().orElseThrow();
    }
}
