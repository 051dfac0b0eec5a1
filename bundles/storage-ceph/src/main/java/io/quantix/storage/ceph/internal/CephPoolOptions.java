package io.quantix.storage.ceph.internal;

import io.quantix.api.DiskSource;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.spi.NodeDirectories;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The validated options of a Ceph pool. The cephx key is deliberately not one of them: pool options are kept
 * in Config Admin, i.e. in a world-readable {@code etc/*.cfg} file. The key stays in a Ceph keyring file that
 * only root may read, named by {@code keyring} (default {@code <config dir>/ceph/ceph.client.<user>.keyring},
 * where Ceph's own tools put keyrings too).
 *
 * @param monitors the Ceph monitors, tried in order
 * @param rbdPool the Ceph (RADOS) pool holding the images
 * @param user the cephx user without its {@code client.} prefix
 */
record CephPoolOptions(List<DiskSource.Host> monitors, String rbdPool, String user, Path keyring) {
    static final String MONITORS = "monitors";
    static final String RBD_POOL = "rbdPool";
    static final String USER = "user";
    static final String KEYRING = "keyring";
    private static final Set<String> KNOWN = Set.of(MONITORS, RBD_POOL, USER, KEYRING);
    private static final Set<String> SECRETS = Set.of("key", "secret", "password");

    static CephPoolOptions of(StoragePoolSpec pool) {
        pool.options().keySet().stream().filter(k -> !KNOWN.contains(k)).sorted().findFirst().ifPresent(k -> {
            if (SECRETS.contains(k)) {
                throw QuantixException.invalid("ceph pool option " + Validation.quote(k) + " is refused: pool options"
                        + " are stored in plain configuration files. Put the cephx key in a keyring file readable only"
                        + " by root and name it with " + KEYRING + "=");
            }
            throw QuantixException.invalid("ceph pool option " + Validation.quote(k) + " is unknown: use " + MONITORS
                    + ", " + RBD_POOL + ", " + USER + " or " + KEYRING);
        });
        List<DiskSource.Host> monitors = monitors(pool.option(MONITORS).orElseThrow(() -> QuantixException.invalid(
                "a ceph pool needs the option " + MONITORS + "=HOST[:PORT],... (its Ceph monitors)")));
        String rbdPool = Validation.name("RBD pool", pool.option(RBD_POOL).orElse("rbd"));
        String user = user(pool.option(USER).orElse("admin"));
        Path keyring = pool.option(KEYRING).map(CephPoolOptions::keyring)
                .orElseGet(() -> NodeDirectories.config().resolve("ceph").resolve("ceph.client." + user + ".keyring"));
        return new CephPoolOptions(monitors, rbdPool, user, keyring);
    }

    /** The monitors as Ceph's {@code -m} option and {@code mon_host} take them. */
    String monitorList() {
        return monitors.stream().map(h -> h.port() == 0 ? h.name() : h.name() + ":" + h.port())
                .collect(Collectors.joining(","));
    }

    /** {@code HOST[:PORT]} entries, comma-separated; an IPv6 address in brackets. */
    private static List<DiskSource.Host> monitors(String value) {
        List<DiskSource.Host> hosts = new ArrayList<>();
        for (String entry : value.split(",", -1)) {
            String e = entry.strip();
            int colon = e.lastIndexOf(':');
            boolean hasPort = colon > 0 && colon > e.lastIndexOf(']');
            String name = hasPort ? e.substring(0, colon) : e;
            int port = 0;
            if (hasPort) {
                try {
                    port = Integer.parseInt(e.substring(colon + 1));
                } catch (NumberFormatException ex) {
                    throw QuantixException.invalid("Ceph monitor " + Validation.quote(e) + " has an invalid port");
                }
            }
            hosts.add(new DiskSource.Host(name, port));
        }
        if (hosts.size() > 16) {
            throw QuantixException.invalid("a ceph pool takes at most 16 monitors");
        }
        return List.copyOf(hosts);
    }

    private static String user(String value) {
        Validation.name("Ceph user", value);
        if (value.startsWith("client.")) {
            throw QuantixException.invalid("Ceph user " + Validation.quote(value)
                    + " must be given without its 'client.' prefix, as in --id");
        }
        return value;
    }

    private static Path keyring(String value) {
        try {
            Path path = Path.of(value);
            if (path.isAbsolute() && path.equals(path.normalize()) && path.getNameCount() > 0) {
                return path;
            }
        } catch (InvalidPathException e) {
            // reported below, like any other bad path
        }
        throw QuantixException.invalid("ceph pool " + KEYRING + " " + Validation.quote(value)
                + " must be an absolute, normalised file path");
    }
}
