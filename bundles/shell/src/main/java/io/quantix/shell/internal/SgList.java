package io.quantix.shell.internal;

import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.service.SecurityGroupService;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "sg-list", description = "Lists security groups and their rules")
public class SgList extends QxAction {
    @Reference
    SecurityGroupService groups;

    @Override
    protected Object run() {
        ShellTable table = new ShellTable();
        table.emptyTableText("no security groups: create one with qx:sg-create");
        for (String c : new String[] {"Name", "Applies to", "Allows in"}) {
            table.column(c);
        }
        for (SecurityGroup g : groups.list()) {
            table.addRow().addContent(g.name(), "tag " + g.appliesTo(),
                    g.rules().isEmpty() ? "(nothing)" : g.rules().stream().map(SecurityRule::toString).collect(Collectors.joining("; ")));
        }
        table.print(System.out);
        return null;
    }
}
