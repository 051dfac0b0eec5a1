package io.quantix.console.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.NodeDirectories;
import io.quantix.console.ClusterJoin;
import io.quantix.security.AdminAccount;
import io.quantix.security.AuditTrail;
import io.quantix.security.Authenticator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the node's own terminal when the node was started on one for it ({@code -Dquantix.console=true}, which
 * {@code bin/setenv} sets for a plain {@code bin/karaf} on a terminal, instead of Karaf's local shell that would be
 * logged in without a password). Without it (a service, Pax Exam, {@code bin/karaf server}) it only keeps the node's
 * name in step with the setup's record.
 */
@Component(immediate = true, configurationPid = ConsoleComponent.PID)
@Designate(ocd = ConsoleComponent.Config.class)
public class ConsoleComponent {
    static final String PID = "io.quantix.console";
    static final String ENABLE_PROPERTY = "quantix.console";
    /** Present on Quantix-OS images: what tells the console it may change the host (network, power). */
    static final Path QUANTIX_OS_RELEASE = Path.of("/etc/quantix-os-release");
    static final String KARAF_SHELL_PID = "org.apache.karaf.shell";
    static final int DEFAULT_SSH_PORT = 8101;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleComponent.class);

    @ObjectClassDefinition(id = PID, name = "Quantix console")
    public @interface Config {
        @AttributeDefinition(description = "Where network settings are applied: none (recorded only; the default off"
                + " Quantix-OS), host (Quantix-OS's default) or netns:NAME (a network namespace).")
        String networkTarget() default "";
    }

    private final List<ClusterJoin> clusters = new CopyOnWriteArrayList<>();
    private Terminal terminal;
    private Thread thread;
    private Thread sshStart;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addCluster(ClusterJoin join) {
        clusters.add(join);
    }

    void removeCluster(ClusterJoin join) {
        clusters.remove(join);
    }

    @Activate
    public ConsoleComponent(@Reference AdminAccount admin, @Reference Authenticator authenticator,
            @Reference AuditTrail audit, @Reference NodeService node, @Reference VmService vms,
            @Reference StorageService storage, @Reference SessionFactory shells, @Reference FeaturesService features,
            @Reference ConfigurationAdmin configurations, BundleContext context, Config config) {
        Path configDir = NodeDirectories.config();
        SshSwitch ssh = new SshSwitch(features, configDir, () -> sshPort(configurations));
        boolean quantixOs = Files.exists(QUANTIX_OS_RELEASE);
        String targetSpec = config.networkTarget().isBlank() ? (quantixOs ? "host" : "none") : config.networkTarget();
        NetworkTarget target = NetworkTarget.parse(targetSpec);
        if (admin.setupComplete()) {
            followSetupName(node, configDir);
            applySsh(ssh);
        }
        if (!Boolean.getBoolean(ENABLE_PROPERTY)) {
            LOG.info("The console is not on this node's terminal ({} is not set): the qx: shell is reached through"
                    + " Karaf's own console or client", ENABLE_PROPERTY);
            return;
        }
        try {
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            try {
                // JLine finds its terminal providers through its own class loader
                Thread.currentThread().setContextClassLoader(TerminalBuilder.class.getClassLoader());
                terminal = TerminalBuilder.builder().system(true).nativeSignals(true)
                        .signalHandler(Terminal.SignalHandler.SIG_IGN).build();
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
        } catch (IOException e) {
            LOG.error("The console cannot open the node's terminal: {}", e.getMessage());
            return;
        }
        boolean addressable = !"dumb".equals(terminal.getType())
                && terminal.getStringCapability(Capability.cursor_address) != null;
        Integer colours = terminal.getNumericCapability(Capability.max_colors);
        boolean colour = System.getenv("NO_COLOR") == null && colours != null && colours >= 8;
        Renderer renderer = new Renderer(terminal.writer(), addressable, colour);
        Tty tty = new Tty(terminal, renderer);
        Path log = Path.of(System.getProperty("karaf.log", "data/log"), "karaf.log");
        Probe probe = new Probe(node, vms, storage, log,
                () -> clusters.isEmpty() ? "standalone" : clusters.get(0).status(),
                ssh::describe,
                () -> managementAddress(configDir));
        Dcui dcui = new Dcui(tty, renderer, admin, authenticator, audit, node, probe, target, configDir, shells,
                () -> clusters.isEmpty() ? Optional.empty() : Optional.of(clusters.get(0)), context, quantixOs, ssh);
        thread = new Thread(dcui, "quantix-console");
        thread.setDaemon(true);
        thread.start();
        LOG.info("The console runs on this node's terminal ({}, {}), network target {}", terminal.getType(),
                addressable ? (colour ? "colour" : "no colour") : "no cursor addressing", target);
    }

    @Deactivate
    void deactivate() {
        if (sshStart != null) {
            sshStart.interrupt();
        }
        if (thread != null) {
            thread.interrupt();
        }
        if (terminal != null) {
            try {
                terminal.close(); // gives the terminal its modes back and ends the console's read
            } catch (IOException e) {
                LOG.debug("closing the console's terminal", e);
            }
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * console.yaml's SSH choice, applied off the activating thread: installing a feature from inside a DS activation
     * would wait on the framework that is activating this component.
     */
    private void applySsh(SshSwitch ssh) {
        sshStart = new Thread(() -> {
            try {
                ssh.apply();
            } catch (QuantixException e) {
                LOG.error("SSH is not as console.yaml asks: {}", e.getMessage());
            }
        }, "quantix-console-ssh");
        sshStart.setDaemon(true);
        sshStart.start();
    }

    /** The port Karaf's SSH server listens on (etc/org.apache.karaf.shell.cfg), Karaf's 8101 unless set. */
    static int sshPort(ConfigurationAdmin configurations) {
        try {
            Configuration[] found = configurations.listConfigurations("(service.pid=" + KARAF_SHELL_PID + ")");
            Object port = found == null || found[0].getProperties() == null ? null
                    : found[0].getProperties().get("sshPort");
            return port == null ? DEFAULT_SSH_PORT : Integer.parseInt(port.toString().strip());
        } catch (IOException | InvalidSyntaxException | NumberFormatException e) {
            return DEFAULT_SSH_PORT;
        }
    }

    /**
     * The node's name follows the setup's record (network.yaml's host name): setup renames the node right after
     * writing its files, and a kill between the two is caught up here at the next start.
     */
    static void followSetupName(NodeService node, Path configDir) {
        yamlValue(configDir.resolve(Wizard.NETWORK_FILE), "hostname").ifPresent(name -> {
            if (!name.equals(node.info().name())) {
                try {
                    node.rename(name);
                } catch (QuantixException e) {
                    LOG.warn("The node keeps its name: the setup's host name {} is not usable: {}", name, e.getMessage());
                }
            }
        });
    }

    /** network.yaml's static address, else the host's first address. */
    static String managementAddress(Path configDir) {
        return yamlValue(configDir.resolve(Wizard.NETWORK_FILE), "address").map(a -> a.replaceAll("/.*", ""))
                .orElseGet(Probe::firstAddress);
    }

    /** A top-level "key: value" of the console's own YAML files (which it writes with plain values only). */
    static Optional<String> yamlValue(Path file, String key) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(key + ": "))
                    .map(l -> l.substring(key.length() + 2).strip()).filter(v -> !v.isEmpty()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
