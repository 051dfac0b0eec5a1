package io.quantix.core.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Deleted networks, security groups and routers that some network driver has not removed yet, in
 * {@code <data>/network-tombstones.properties}. A driver that comes back is told to remove exactly these, never
 * "whatever is not defined": on a node start the definitions may not be loaded into Config Admin yet when the
 * driver binds, and deleting everything undefined would then take every network down.
 *
 * <p>Each tombstone lists the drivers that have removed the object. It is dropped once every driver this node
 * has reconciled has (a driver never reconciled here never had the object), or when the name is defined again.
 * A lost file only means leftovers are kept (and logged by the driver), never that something is deleted.
 */
@Component(service = NetworkTombstones.class)
public class NetworkTombstones {
    /** What was deleted. */
    enum Kind {
        NETWORK, SECURITY_GROUP, ROUTER
    }

    private static final String DRIVERS = "drivers";

    private final Path file;

    @Activate
    public NetworkTombstones() {
        this(NodeDirectories.data().resolve("network-tombstones.properties"));
    }

    NetworkTombstones(Path file) {
        this.file = file;
    }

    /** The object is deleted; {@code removedBy} are the drivers that have already removed it. */
    synchronized void deleted(Kind kind, String name, Collection<String> removedBy) {
        Properties p = load();
        p.setProperty(key(kind, name), String.join(",", new TreeSet<>(removedBy)));
        prune(p);
        store(p);
    }

    /** The name is defined again: an old deletion must not remove the new object. */
    synchronized void defined(Kind kind, String name) {
        Properties p = load();
        if (p.remove(key(kind, name)) != null) {
            store(p);
        }
    }

    /** The names of this kind the driver has not removed yet. */
    synchronized Set<String> pending(Kind kind, String driver) {
        Properties p = load();
        String prefix = kind.name() + ".";
        return p.stringPropertyNames().stream().filter(k -> k.startsWith(prefix) && !split(p.getProperty(k)).contains(driver))
                .map(k -> k.substring(prefix.length())).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The driver has removed what {@code pending} answered (and is one of the drivers of this node from now on). */
    synchronized void removed(String driver, Map<Kind, Set<String>> names) {
        Properties p = load();
        Set<String> drivers = split(p.getProperty(DRIVERS, ""));
        drivers.add(driver);
        p.setProperty(DRIVERS, String.join(",", drivers));
        names.forEach((kind, set) -> set.forEach(name -> {
            String k = key(kind, name);
            if (p.containsKey(k)) {
                Set<String> by = split(p.getProperty(k));
                by.add(driver);
                p.setProperty(k, String.join(",", by));
            }
        }));
        prune(p);
        store(p);
    }

    /** Drops the tombstones every known driver has acted on. */
    private static void prune(Properties p) {
        Set<String> drivers = split(p.getProperty(DRIVERS, ""));
        p.stringPropertyNames().stream().filter(k -> !k.equals(DRIVERS) && split(p.getProperty(k)).containsAll(drivers))
                .forEach(p::remove);
    }

    private static String key(Kind kind, String name) {
        return kind.name() + "." + name;
    }

    private static Set<String> split(String list) {
        return Arrays.stream(list.split(",")).filter(s -> !s.isBlank()).collect(Collectors.toCollection(TreeSet::new));
    }

    private Properties load() {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new QuantixException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return p;
    }

    private void store(Properties p) {
        try {
            Files.createDirectories(file.getParent());
            PropertiesFiles.store(file, p, "Quantix: deletions not yet removed by every network driver");
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
