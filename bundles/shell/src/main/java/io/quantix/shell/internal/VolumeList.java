package io.quantix.shell.internal;

import io.quantix.api.Volume;
import io.quantix.api.service.StorageService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "volume-list", description = "Lists the volumes of a pool")
public class VolumeList extends QxAction {
    @Reference
    StorageService storage;

    @Argument(name = "pool", required = true, description = "pool name")
    @Completion(PoolNameCompleter.class)
    String pool;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no volumes in pool " + pool);
        for (String c : new String[] {"Name", "Format", "Capacity", "Allocated", "Template"}) {
            table.column(c);
        }
        for (Volume v : storage.listVolumes(pool)) {
            table.addRow().addContent(v.name(), v.format().id(), Format.bytes(v.capacity()), Format.bytes(v.allocation()),
                    v.template() ? "template" : "");
        }
        table.print(System.out);
        return null;
    }
}
