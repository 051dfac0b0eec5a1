package io.quantix.console.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH on or off: Karaf's {@code ssh} feature installed or not, so that an off node has no SSH server at all, not
 * one that refuses. The choice is {@code sshEnabled} in the console's {@code console.yaml} (the wizard writes it,
 * F3 changes it) and is applied again at every start, so it survives a restart and a fresh unpack alike.
 */
final class SshSwitch {
    static final String FEATURE = "ssh";
    static final String KEY = "sshEnabled";
    private static final Logger LOG = LoggerFactory.getLogger(SshSwitch.class);
    /** Karaf's bundles stay as they are: installing sshd must not restart the node's own bundles. */
    private static final EnumSet<FeaturesService.Option> OPTIONS = EnumSet.of(
            FeaturesService.Option.NoAutoRefreshBundles);

    private final FeaturesService features;
    private final Path configDir;
    private final IntSupplier port;

    SshSwitch(FeaturesService features, Path configDir, IntSupplier port) {
        this.features = features;
        this.configDir = configDir;
        this.port = port;
    }

    /** What console.yaml asks for; off when it says nothing. */
    boolean wanted() {
        return ConsoleComponent.yamlValue(configDir.resolve(Wizard.CONSOLE_FILE), KEY).map(Boolean::parseBoolean)
                .orElse(false);
    }

    boolean running() {
        try {
            Feature ssh = features.getFeature(FEATURE);
            return ssh != null && features.isInstalled(ssh);
        } catch (Exception e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot read Karaf's features: " + e.getMessage(), e);
        }
    }

    /** Records the choice, then installs or removes the SSH server; returns once it is done. */
    void set(boolean on) {
        Dcui.writeConfig(configDir, Wizard.CONSOLE_FILE, Wizard.consoleYaml(on));
        apply();
    }

    /** Brings the SSH server in line with console.yaml. */
    void apply() {
        boolean on = wanted();
        if (on == running()) {
            return;
        }
        try {
            if (on) {
                features.installFeature(FEATURE, OPTIONS);
            } else {
                features.uninstallFeature(FEATURE, OPTIONS);
            }
            LOG.info("SSH {} (console.yaml {}: {})", on ? "started on port " + port.getAsInt() : "stopped", KEY, on);
        } catch (Exception e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot turn SSH " + (on ? "on" : "off") + ": "
                    + e.getMessage(), e);
        }
    }

    /** For the dashboard: "off", or "on, port 8101, 1 session". */
    String describe() {
        if (!running()) {
            return "off";
        }
        int listening = port.getAsInt();
        int sessions = sessions(listening);
        return "on, port " + listening + ", " + sessions + (sessions == 1 ? " session" : " sessions");
    }

    /** Established TCP connections to the SSH port, from the kernel's tables: the active SSH sessions. */
    static int sessions(int port) {
        String local = String.format(Locale.ROOT, ":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.strip().split("\\s+");
                    // sl local_address rem_address st ...; st 01 is ESTABLISHED
                    if (f.length > 3 && f[1].endsWith(local) && f[3].equals("01")) {
                        count++;
                    }
                }
            } catch (IOException e) {
                // no IPv6 table on this host: nothing to count there
            }
        }
        return count;
    }
}
