package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedNic;
import io.quantix.api.DirectBoot;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.PortSpec;
import io.quantix.api.PowerAction;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.network.ovn.internal.OvnEnv;
import io.quantix.network.ovn.internal.OvnNetworkDriver;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real QEMU guest (the tiny direct-boot guest of the libvirt module, TCG) with a NIC on an OVN network:
 * the libvirt backend renders the port as an openvswitch virtualport, libvirtd plugs the tap into br-int
 * with the port's iface-id, and ovn-controller binds the logical port, which NB then reports up.
 * Lives in the libvirt backend's package to reach its test entry points; its domain is named qx-net-*.
 */
@ExtendWith(OvnEnv.Resolver.class)
class OvnGuestIT {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final String NAME = "qx-net-guest";

    @Test
    void aGuestNicOnBrIntBindsItsOvnPort(OvnEnv ovn) throws Exception {
        Path guest = MODULE.resolve("target/tiny-guest");
        Process setup = new ProcessBuilder("sh", MODULE.resolve("../hypervisor-libvirt/src/test/sh/libvirt-env.sh").normalize().toString(),
                guest.toString()).redirectErrorStream(true).redirectOutput(MODULE.resolve("target/libvirt-env.log").toFile()).start();
        assertEquals(0, setup.waitFor(), "libvirt-env.sh failed: see target/libvirt-env.log");
        System.setProperty("quantix.data.dir", Files.createTempDirectory(Path.of("/tmp"), "qx-net").toString());

        OvnNetworkDriver driver = new OvnNetworkDriver(config(ovn.nbUnix()));
        LibvirtBackend backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false), Duration.ofSeconds(10), "qemu");
        NetworkSpec net = new NetworkSpec("guests", "ovn", NetworkType.OVERLAY, Optional.of("10.82.0.0/24"),
                Optional.of("10.82.0.1"), true, OptionalInt.empty(), Optional.empty());
        PortSpec port = new PortSpec(UUID.randomUUID().toString(), "52:54:00:82:00:02", NAME, Set.of());
        try {
            removeGuest(backend);
            driver.ensure(net);
            NicBinding binding = driver.createPort(net, port);
            AttachedNic nic = new AttachedNic("guests", port.id(), port.mac(), NicModel.VIRTIO, binding);
            VmSpec spec = VmSpec.builder(NAME).memoryMiB(256).nic(new NicSpec("guests", Optional.of(port.mac()), NicModel.VIRTIO))
                    .directBoot(new DirectBoot(guest.resolve("vmlinuz").toString(), guest.resolve("initrd.gz").toString(),
                            "console=ttyS0 quiet panic=-1 no_timer_check"))
                    .build();
            backend.define(UUID.randomUUID().toString(), spec, List.of(), List.of(nic));
            backend.power(NAME, PowerAction.START);

            Vm running = backend.find(NAME).orElseThrow();
            assertEquals(new NicBinding.OpenVSwitch("br-int", port.id()), running.nics().get(0).binding(),
                    "libvirt's domain carries the port's interfaceid");
            await("the tap is in br-int with the port's iface-id", () -> ovn.vsctl("--bare", "--columns=name", "find", "Interface",
                    "external_ids:iface-id=" + port.id()).strip().startsWith("vnet"));
            await("OVN reports the logical port up", () -> ovn.nbctl("lsp-get-up", port.id()).strip().equals("up"));
        } finally {
            removeGuest(backend);
            driver.deletePort(net, port.id());
            driver.remove(net);
            backend.close();
        }
    }

    private static void removeGuest(LibvirtBackend backend) {
        backend.find(NAME).ifPresent(vm -> {
            if (vm.state() != io.quantix.api.PowerState.STOPPED) {
                backend.power(NAME, PowerAction.FORCE_STOP);
            }
            backend.undefine(NAME);
        });
    }

    /** Polls every 200 ms for at most a minute (a TCG guest starts slowly on a busy machine). */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 60 s: " + what);
            Thread.sleep(200);
        }
    }

    private static OvnNetworkDriver.Config config(String nb) {
        return new OvnNetworkDriver.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return OvnNetworkDriver.Config.class;
            }

            @Override
            public String nbConnection() {
                return nb;
            }

            @Override
            public String integrationBridge() {
                return "br-int";
            }

            @Override
            public int timeoutSeconds() {
                return 30;
            }

            @Override
            public String gatewayChassis() {
                return "";
            }
        };
    }
}
