package io.quantix.console.internal;

import io.quantix.security.Authenticator;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The JAAS realm Karaf's SSH server logs in with ({@code sshRealm = quantix} in etc/org.apache.karaf.shell.cfg):
 * the node's admin through {@link AdminLoginModule}. Karaf's own realm (users.properties) is not used by SSH.
 */
@Component(service = JaasRealm.class)
public class QuantixRealm implements JaasRealm {
    static final String NAME = "quantix";

    private final AppConfigurationEntry[] entries;

    @Activate
    public QuantixRealm(@Reference Authenticator authenticator, BundleContext context) {
        entries = new AppConfigurationEntry[] {new AppConfigurationEntry(ProxyLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of(
                        ProxyLoginModule.PROPERTY_MODULE, AdminLoginModule.class.getName(),
                        ProxyLoginModule.PROPERTY_BUNDLE, Long.toString(context.getBundle().getBundleId()),
                        AdminLoginModule.AUTHENTICATOR, authenticator))};
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getRank() {
        return 0;
    }

    @Override
    public AppConfigurationEntry[] getEntries() {
        return entries.clone();
    }
}
