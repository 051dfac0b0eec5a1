package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "pool-delete", description = "Deletes an empty pool's definition (its storage is left as it is)")
public class PoolDelete extends PoolAction {

    @Override
    protected Object run() {
        storage.deletePool(pool);
        System.out.println("pool " + pool + " deleted");
        return null;
    }
}
