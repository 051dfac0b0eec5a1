package io.quantix.shell.internal;

import io.quantix.api.StoragePool;
import io.quantix.api.service.StorageService;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "pool-list", description = "Lists storage pools with their status and space")
public class PoolList extends QxAction {
    @Reference
    StorageService storage;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no pools: create one with qx:pool-create");
        for (String c : new String[] {"Name", "Backend", "Status", "Capacity", "Allocated", "Available", "Measured", "Message"}) {
            table.column(c);
        }
        java.time.Instant now = java.time.Instant.now();
        for (StoragePool p : storage.listPools()) {
            table.addRow().addContent(p.name(), p.spec().backend(), p.status(), Format.bytes(p.capacity()),
                    Format.bytes(p.allocation()), Format.bytes(p.available()), Format.age(p.measuredAt(), now),
                    p.message().orElse(""));
        }
        table.print(System.out);
        return null;
    }
}
