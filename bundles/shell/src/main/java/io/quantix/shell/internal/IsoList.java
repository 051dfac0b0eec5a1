package io.quantix.shell.internal;

import io.quantix.api.IsoImage;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "iso-list", description = "Lists a pool's ISO library")
public class IsoList extends PoolAction {

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no ISO images in pool " + pool + ": add one with qx:iso-upload");
        table.column("Name");
        table.column("Size");
        for (IsoImage iso : storage.listIsos(pool)) {
            table.addRow().addContent(iso.name(), Format.bytes(iso.sizeBytes()));
        }
        table.print(System.out);
        return null;
    }
}
