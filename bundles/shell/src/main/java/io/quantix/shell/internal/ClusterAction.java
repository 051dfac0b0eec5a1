package io.quantix.shell.internal;

import io.quantix.api.cluster.ClusterService;
import io.quantix.api.cluster.JoinToken;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/**
 * A cluster command. The cluster is a feature of its own (not booted on a standalone node), so the service is
 * optional: without it the command says how to install it, with a stable code, instead of not existing.
 */
abstract class ClusterAction extends QxAction {
    @Reference(optional = true)
    ClusterService cluster;

    ClusterService cluster() {
        if (cluster == null) {
            throw ClusterService.notInstalled();
        }
        return cluster;
    }

    /** The token on a line of its own, so it can be copied; it is shown here only, never logged. */
    static void print(JoinToken token) {
        System.out.println("join token (single use, valid until " + token.expiresAt() + "):");
        System.out.println(token.token());
        System.out.println("cluster CA fingerprint: " + token.caFingerprint());
    }
}
