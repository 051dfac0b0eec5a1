package io.quantix.network.bridge.internal;

import io.quantix.api.Validation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Host bridge names for networks that do not name one: derived from the network name, stable across nodes. */
final class BridgeNames {
    private static final String PREFIX = "qx-";
    /** The kernel's interface name limit (IFNAMSIZ - 1). */
    private static final int MAX = 15;
    private static final int HASH_CHARS = 6;

    private BridgeNames() {
    }

    /**
     * {@code qx-<name>} when it fits, else {@code qx-<prefix>-<hash>}: names sharing a long prefix stay
     * distinct, and a person can still tell which network a bridge serves.
     */
    static String derive(String network) {
        String name = PREFIX + network;
        if (name.length() > MAX) {
            String hash = HexFormat.of().formatHex(sha256(network)).substring(0, HASH_CHARS);
            name = PREFIX + network.substring(0, MAX - PREFIX.length() - 1 - HASH_CHARS) + "-" + hash;
        }
        return Validation.interfaceName("bridge", name);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
