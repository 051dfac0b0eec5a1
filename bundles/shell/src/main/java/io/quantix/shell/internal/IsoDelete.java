package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "iso-delete", description = "Deletes an ISO image from a pool's library")
public class IsoDelete extends PoolAction {
    @Argument(index = 1, name = "name", required = true, description = "ISO image name")
    String name;

    @Override
    protected Object run() {
        storage.deleteIso(pool, name);
        System.out.println("ISO image " + pool + "/" + name + " deleted");
        return null;
    }
}
