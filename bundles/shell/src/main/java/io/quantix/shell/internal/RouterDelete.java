package io.quantix.shell.internal;

import io.quantix.api.service.RouterService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "router-delete", description = "Deletes a router with its NAT and load balancers")
public class RouterDelete extends QxAction {
    @Reference
    RouterService routers;

    @Argument(name = "name", required = true, description = "router name")
    String name;

    @Override
    protected Object run() {
        routers.delete(name);
        System.out.println("router " + name + " deleted");
        return null;
    }
}
