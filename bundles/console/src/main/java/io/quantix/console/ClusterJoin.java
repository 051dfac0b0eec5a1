package io.quantix.console;

/**
 * The console's F4 menu and the dashboard's status line, answered by the cluster service when one is installed.
 * Without one, the console says "standalone" and F4 says it is not available on this node yet.
 */
public interface ClusterJoin {
    /** One short line for the dashboard, such as "standalone" or "member of prod (3 nodes)". */
    String status();

    /**
     * Joins the cluster whose control plane is at {@code controlPlaneUrl} with a join token; throws a
     * {@code QuantixException} with the reason when it cannot.
     */
    void join(String controlPlaneUrl, char[] joinToken);
}
