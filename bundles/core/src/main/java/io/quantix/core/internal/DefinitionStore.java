package io.quantix.core.internal;

import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps definitions (pools, networks) as Config Admin factory configurations named after the object.
 * Karaf writes them to {@code etc/<factoryPid>~<name>.cfg}, so they survive restarts and backend swaps
 * and a user can read or edit them by hand.
 *
 * @param <T> the definition record
 */
final class DefinitionStore<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionStore.class);
    /** Config property holding the object's name; a hand-written file may use any config name. */
    static final String NAME = "name";
    /** Properties that Config Admin and Felix FileInstall add to every configuration. */
    private static final List<String> FRAMEWORK_KEYS = List.of("service.", "felix.", "component.");

    /** Tells Felix FileInstall which file a configuration belongs to, so it does not read it in twice. */
    private static final String FILEINSTALL_FILE = "felix.fileinstall.filename";

    private final ConfigurationAdmin configAdmin;
    private final String factoryPid;
    private final Function<Map<String, String>, T> decode;
    private final Function<T, Map<String, String>> encode;

    DefinitionStore(ConfigurationAdmin configAdmin, String factoryPid, Function<Map<String, String>, T> decode,
            Function<T, Map<String, String>> encode) {
        this.configAdmin = configAdmin;
        this.factoryPid = factoryPid;
        this.decode = decode;
        this.encode = encode;
    }

    /** Every readable definition; an unreadable file is logged and skipped, never deleted. */
    List<T> list() {
        List<T> result = new ArrayList<>();
        for (Configuration c : configurations(all())) {
            Map<String, String> props = plain(c);
            try {
                result.add(decode.apply(props));
            } catch (QuantixException | IllegalArgumentException e) {
                LOG.warn("ignoring configuration {}: {}", c.getPid(), e.getMessage());
            }
        }
        return result;
    }

    Optional<T> find(String name, Function<T, String> nameOf) {
        return list().stream().filter(t -> nameOf.apply(t).equals(name)).findFirst();
    }

    void save(String name, T value) {
        try {
            Configuration c = configAdmin.getFactoryConfiguration(factoryPid, name, "?");
            Dictionary<String, Object> props = new Hashtable<>(encode.apply(value));
            props.put(NAME, name);
            Optional<Path> file = etcFile(c.getPid());
            if (file.isPresent()) {
                writeAtomically(file.get(), props);
                props.put(FILEINSTALL_FILE, file.get().toUri().toString());
            }
            c.update(props);
        } catch (IOException e) {
            throw new QuantixException(io.quantix.api.ErrorCode.INTERNAL, "cannot store " + name + ": " + e.getMessage(), e);
        }
    }

    void delete(String name) {
        // the name is validated, so it cannot change the meaning of the filter
        for (Configuration c : configurations("(&" + all() + "(|(" + NAME + "=" + name + ")(service.pid=" + factoryPid + "~"
                + name + ")))")) {
            try {
                Optional<Path> file = etcFile(c.getPid());
                c.delete();
                if (file.isPresent()) {
                    Files.deleteIfExists(file.get());
                }
            } catch (IOException e) {
                throw new QuantixException(io.quantix.api.ErrorCode.INTERNAL, "cannot delete " + name + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * {@code etc/<pid>.cfg}, when running in Karaf: the definition a user can read, edit and back up, and
     * the one that counts when the node starts with an empty cache. FileInstall never creates such a file
     * for a configuration made through Config Admin, so this store writes it, as Karaf's config:* commands do.
     */
    private static Optional<Path> etcFile(String pid) {
        return Optional.ofNullable(System.getProperty("karaf.etc")).map(etc -> Path.of(etc, pid + ".cfg"));
    }

    private static void writeAtomically(Path file, Dictionary<String, Object> props) throws IOException {
        Properties cfg = new Properties();
        for (String key : java.util.Collections.list(props.keys())) {
            cfg.setProperty(key, String.valueOf(props.get(key)));
        }
        PropertiesFiles.store(file, cfg, "Quantix definition; written by the node, safe to edit while it is stopped");
    }

    /**
     * Configurations made through Config Admin carry the factory PID; one that Felix FileInstall reads from
     * {@code etc/<factoryPid>~<name>.cfg} (as shipped, or after a restart with a fresh cache) has only the
     * PID {@code <factoryPid>~<name>}. Both are the same definition.
     */
    private String all() {
        return "(|(service.factoryPid=" + factoryPid + ")(service.pid=" + factoryPid + "~*))";
    }

    private Configuration[] configurations(String filter) {
        try {
            Configuration[] found = configAdmin.listConfigurations(filter);
            if (found == null) {
                return new Configuration[0];
            }
            java.util.Arrays.sort(found, Comparator.comparing(Configuration::getPid));
            return found;
        } catch (IOException | InvalidSyntaxException e) {
            throw new QuantixException(io.quantix.api.ErrorCode.INTERNAL, "cannot read configurations: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> plain(Configuration c) {
        Map<String, String> result = new java.util.TreeMap<>();
        Dictionary<String, Object> props = c.getProperties();
        if (props != null) {
            for (String key : java.util.Collections.list(props.keys())) {
                if (FRAMEWORK_KEYS.stream().noneMatch(key::startsWith)) {
                    result.put(key, String.valueOf(props.get(key)));
                }
            }
        }
        // a hand-written etc/<pid>~<name>.cfg need not repeat its name inside
        result.putIfAbsent(NAME, c.getPid().substring(c.getPid().indexOf('~') + 1));
        return result;
    }
}
