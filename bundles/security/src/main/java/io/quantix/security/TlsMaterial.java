package io.quantix.security;

import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;

/**
 * The key and certificate the node's REST and gRPC servers present. Generated (self-signed) on first start
 * into {@code <config>/certificates/node.p12}; a keystore the user puts there instead is used as is.
 */
public interface TlsMaterial {
    /** The PKCS#12 file, for servers that load it themselves. */
    Path keyStorePath();

    /** The keystore, loaded. Its key entries are protected by {@link #password()} too. */
    KeyStore keyStore();

    /** A copy of the keystore password (from {@code node.p12.pass}); clear it after use. */
    char[] password();

    /**
     * Key managers over the keystore, for a TLS server built in memory: the password stays in this bundle.
     * INTERNAL if the keystore cannot be used.
     */
    KeyManager[] keyManagers();
}
