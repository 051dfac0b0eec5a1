package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.quantix.api.PowerState;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.VmService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The node on the host's real libvirtd ({@code qemu:///system}) with a short inventory resync: a Quantix VM's domain
 * undefined and defined again behind Quantix's back through {@code virsh} (libvirt reports neither as a state change)
 * goes from the VM list, and comes back, within the resync period, and each is counted as a repair. The VM is only
 * defined, never started, so no guest runs. Needs root and a running libvirtd (bundles/hypervisor-libvirt's
 * src/test/sh/libvirt-env.sh prepares one).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InventoryIT extends QuantixTestSupport {
    private static final String VM = "inventory-behind-its-back";
    private static final int RESYNC_SECONDS = 2;
    /** Five resync periods: the resync runs on a loaded 2-core machine beside the rest of the node. */
    private static final Duration WITHIN = Duration.ofSeconds(5 * RESYNC_SECONDS);

    @Inject
    VmService vms;
    @Inject
    NodeService node;

    @Override
    @Configuration
    public Option[] config() {
        try {
            // a short path for the data directory: VM agent sockets live below it (see RestIT)
            return OptionUtils.combine(super.config(), editConfigurationFilePut("etc/system.properties",
                    "quantix.data.dir", Files.createTempDirectory("qxinv").toString()),
                    editConfigurationFilePut("etc/io.quantix.hypervisor.libvirt.cfg", "uri", "qemu:///system"),
                    editConfigurationFilePut("etc/io.quantix.inventory.cfg", "resyncSeconds",
                            String.valueOf(RESYNC_SECONDS)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @After
    public void removeTheDomain() throws Exception {
        virsh("undefine", "--nvram", VM);
    }

    @Test
    public void aDomainUndefinedOrDefinedThroughVirshGoesOrComesBackWithinTheResyncPeriod() throws Exception {
        Vm created = vms.create(VmSpec.builder(VM).hypervisor("libvirt").vcpus(1).memoryMiB(64).build(), false);
        assertTrue(vms.list().stream().anyMatch(vm -> vm.name().equals(VM)));
        Path saved = Files.createTempFile("inventory-", ".xml");
        String xml = virsh("dumpxml", "--inactive", VM);
        Files.writeString(saved, xml, StandardCharsets.UTF_8);
        long repairs = node.inventoryStats().repairs();

        assertTrue(virsh("undefine", "--nvram", VM).contains("undefined"));
        await(VM + " gone from the list within " + WITHIN, WITHIN,
                () -> vms.list().stream().noneMatch(vm -> vm.name().equals(VM)), () -> names());
        assertTrue("the resync counted the undefine it repaired", node.inventoryStats().repairs() > repairs);

        long before = node.inventoryStats().repairs();
        assertTrue(virsh("define", saved.toString()).contains("defined"));
        await(VM + " back in the list within " + WITHIN, WITHIN,
                () -> vms.list().stream().anyMatch(vm -> vm.name().equals(VM)), () -> names());
        Vm back = vms.get(VM);
        assertEquals(created.id(), back.id());
        assertEquals(PowerState.STOPPED, back.state());
        assertTrue("a new version: " + back.version() + " after " + created.version(), back.version() > created.version());
        assertTrue(node.inventoryStats().repairs() > before);
        assertTrue(node.inventoryStats().lastResync().isPresent());

        vms.delete(VM, false);
        assertTrue(vms.list().stream().noneMatch(vm -> vm.name().equals(VM)));
        Files.deleteIfExists(saved);
    }

    private String names() {
        return vms.list().stream().map(Vm::name).toList() + ", " + node.inventoryStats();
    }

    /** Runs virsh on the system libvirtd; returns what it printed (an error too, for the assertion to show). */
    private static String virsh(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 3];
        command[0] = "virsh";
        command[1] = "-c";
        command[2] = "qemu:///system";
        System.arraycopy(args, 0, command, 3, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("virsh " + String.join(" ", args) + " did not end within 60 s");
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
