package io.quantix.shell.internal;

import io.quantix.api.cluster.DrsMove;
import io.quantix.api.cluster.DrsProposal;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "qx", name = "drs-plan", description = "Shows the migrations DRS proposes to even out the cluster's load; moves nothing")
public class DrsPlanShow extends ClusterAction {
    @Override
    protected Object run() {
        DrsProposal plan = cluster().drsPlan();
        System.out.println(plan.summary());
        System.out.println(String.format(Locale.ROOT, "imbalance: %.4f now, %.4f after the moves", plan.imbalanceBefore(), plan.imbalanceAfter()));
        System.out.println("measured on: " + plan.basis());
        if (plan.moves().isEmpty()) {
            return null;
        }
        ShellTable table = new ShellTable();
        for (String c : new String[] {"#", "VM", "From", "To", "Imbalance after", "Reason"}) {
            table.column(c);
        }
        int n = 1;
        for (DrsMove m : plan.moves()) {
            table.addRow().addContent(n++, m.vm(), m.from(), m.to(), String.format(Locale.ROOT, "%.4f", m.imbalanceAfter()), m.reason());
        }
        table.print(System.out);
        System.out.println("apply a move with qx:vm-migrate on the VM's node");
        return null;
    }
}
