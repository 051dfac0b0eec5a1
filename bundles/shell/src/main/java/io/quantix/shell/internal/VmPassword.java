package io.quantix.shell.internal;

import io.quantix.api.agent.GuestInput;
import java.util.Arrays;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "qx", name = "vm-password", description = "Sets a guest user's password through the VM's guest agent"
        + " (asked twice, never echoed)")
public class VmPassword extends AgentAction {
    @Reference
    Session session;

    @Argument(index = 1, name = "user", required = true, description = "user name in the guest")
    String user;

    @Override
    protected Object run() {
        // a bad user name is refused before the password is asked for
        GuestInput.user(user);
        char[] password = SecretInput.readTwice(session, "New password of " + user + " in VM " + vm,
                "New password");
        try {
            agents.setPassword(vm, user, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        System.out.println("password of " + user + " in VM " + vm + " set");
        return null;
    }
}
