package io.quantix.shell.internal;

import io.quantix.security.AdminAccount;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * Shows the one-time code that first-boot setup over REST or gRPC needs from another machine. Only here on the
 * console (and in the 0600 file under the config directory), never in a log.
 */
@Service
@Command(scope = "qx", name = "setup-code", description = "Shows the one-time code that lets another machine run first-boot setup over the APIs")
public class SetupCodeShow extends QxAction {
    @Reference
    AdminAccount admin;

    @Override
    protected Object run() {
        System.out.println(admin.setupCode());
        System.out.println("send it as \"setupCode\" to POST /api/v1/setup (gRPC: setup_code of Setup); it works once");
        return null;
    }
}
