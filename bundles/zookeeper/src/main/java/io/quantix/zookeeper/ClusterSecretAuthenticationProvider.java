package io.quantix.zookeeper;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.auth.AuthenticationProvider;
import org.apache.zookeeper.server.auth.ProviderRegistry;

/**
 * ZooKeeper authentication scheme {@value #SCHEME}: a client that presents the cluster's secret is a cluster member and
 * ZooKeeper's super user, which dynamic reconfiguration needs (the {@code /zookeeper/config} node is writable by super
 * only). ZooKeeper's own digest scheme reads its super digest once, from a system property, when its class loads, so it
 * cannot take a secret that a running node learns when it creates or joins a cluster; this scheme asks
 * {@link #accept} instead. Znodes of the cluster carry the ACL {@link #MEMBER}, so a client without the secret reads
 * and writes nothing of it.
 *
 * <p>The provider is looked up by ZooKeeper's class loader, which is this bundle's: that is why it lives here.
 */
public final class ClusterSecretAuthenticationProvider implements AuthenticationProvider {
    public static final String SCHEME = "quantix";
    /** The identity every authenticated member has, for ACLs. */
    public static final Id MEMBER = new Id(SCHEME, "member");
    private static final String PROPERTY = ProviderRegistry.AUTHPROVIDER_PROPERTY_PREFIX + SCHEME;
    /**
     * SHA-256 of the secrets of the clusters this JVM's servers serve, each with how many servers accept it: one in a
     * node, several where a test runs many members in one JVM.
     */
    private static final Map<String, Integer> ACCEPTED = new ConcurrentHashMap<>();

    /** Makes ZooKeeper servers in this JVM know the scheme and accept {@code secret}; call before a server starts. */
    public static void accept(byte[] secret) {
        ACCEPTED.merge(digest(secret), 1, Integer::sum);
        if (!ClusterSecretAuthenticationProvider.class.getName().equals(System.getProperty(PROPERTY))) {
            System.setProperty(PROPERTY, ClusterSecretAuthenticationProvider.class.getName());
        }
        ProviderRegistry.addOrUpdateProvider(PROPERTY);
    }

    /** Undoes one {@link #accept}: once every server that accepted {@code secret} has stopped, it is refused. */
    public static void forget(byte[] secret) {
        ACCEPTED.computeIfPresent(digest(secret), (k, count) -> count > 1 ? count - 1 : null);
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public KeeperException.Code handleAuthentication(ServerCnxn connection, byte[] authData) {
        if (authData == null || !ACCEPTED.containsKey(digest(authData))) {
            return KeeperException.Code.AUTHFAILED;
        }
        connection.addAuthInfo(new Id("super", ""));
        connection.addAuthInfo(MEMBER);
        return KeeperException.Code.OK;
    }

    @Override
    public boolean matches(String id, String aclExpr) {
        return id.equals(aclExpr);
    }

    @Override
    public boolean isAuthenticated() {
        return true;
    }

    @Override
    public boolean isValid(String id) {
        return MEMBER.getId().equals(id);
    }

    private static String digest(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

}
