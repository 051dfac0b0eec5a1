package io.quantix.hypervisor.cloudhypervisor.internal;

import io.quantix.api.AttachedNic;
import io.quantix.api.NicBinding;
import io.quantix.api.spi.HostCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tap devices for bridge NICs. Cloud Hypervisor opens a tap by name but cannot put it on a bridge, so the backend
 * creates each tap on its bridge before the VM boots and deletes it once the VM is off.
 */
final class Taps {
    /** Kernel interface names are at most 15 characters: the prefix leaves 13 for the port id. */
    private static final String PREFIX = "qx";
    private static final int ID_CHARS = 13;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<String> ip;

    /** @param ip how to run {@code ip}: {@code [ip]} on a node, {@code [ip, -n, <netns>]} in tests */
    Taps(List<String> ip) {
        this.ip = List.copyOf(ip);
    }

    /** The tap of a port: {@code qx} and the port id's first 13 letters and digits, so a person can tell whose it is. */
    static String name(AttachedNic nic) {
        String id = nic.portId().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return PREFIX + id.substring(0, Math.min(ID_CHARS, id.length()));
    }

    /** Creates every NIC's tap on its bridge, replacing a leftover of the same name; undoes its own work on failure. */
    void plug(List<AttachedNic> nics) {
        List<AttachedNic> done = new ArrayList<>();
        try {
            for (AttachedNic nic : nics) {
                String tap = name(nic);
                String bridge = ((NicBinding.Bridge) nic.binding()).bridge();
                delete(tap);
                done.add(nic);
                ip("tuntap", "add", "dev", tap, "mode", "tap");
                ip("link", "set", "dev", tap, "master", bridge);
                ip("link", "set", "dev", tap, "up");
            }
        } catch (RuntimeException e) {
            unplug(done);
            throw e;
        }
    }

    /** Deletes the NICs' taps; ones already gone are fine. */
    void unplug(List<AttachedNic> nics) {
        nics.forEach(nic -> delete(name(nic)));
    }

    private void delete(String tap) {
        List<String> argv = new ArrayList<>(ip);
        argv.addAll(List.of("link", "delete", "dev", tap));
        // "Cannot find device" is the outcome wanted; any real failure shows when the tap is created again.
        HostCommand.execute(argv, TIMEOUT);
    }

    private void ip(String... args) {
        List<String> argv = new ArrayList<>(ip);
        argv.addAll(List.of(args));
        HostCommand.run(argv);
    }
}
