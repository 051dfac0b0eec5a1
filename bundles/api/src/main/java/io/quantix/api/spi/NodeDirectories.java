package io.quantix.api.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The node's directories. On the Quantix-OS image they are {@code /quantix} and {@code /data}; elsewhere
 * they default to folders under Karaf's own, so one checkout can run a node without root paths.
 */
public final class NodeDirectories {
    private NodeDirectories() {
    }

    /** Where VM disks, pools and runtime state live: {@code QUANTIX_DATA_DIR}, else {@code ${karaf.data}/quantix}. */
    public static Path data() {
        return resolve("quantix.data.dir", "QUANTIX_DATA_DIR", "karaf.data", "quantix");
    }

    /** Where node configuration and credentials live: {@code QUANTIX_CONFIG_DIR}, else {@code ${karaf.etc}/quantix}. */
    public static Path config() {
        return resolve("quantix.config.dir", "QUANTIX_CONFIG_DIR", "karaf.etc", "quantix");
    }

    private static Path resolve(String property, String env, String karafProperty, String child) {
        return Optional.ofNullable(System.getProperty(property))
                .or(() -> Optional.ofNullable(System.getenv(env)))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty(karafProperty, "data")).resolve(child))
                .toAbsolutePath()
                .normalize();
    }
}
