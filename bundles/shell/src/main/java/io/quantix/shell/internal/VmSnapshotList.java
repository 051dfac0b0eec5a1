package io.quantix.shell.internal;

import io.quantix.api.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-snapshot-list", description = "Lists a VM's snapshots as a tree, children indented"
        + " under the snapshot they were taken after")
public class VmSnapshotList extends VmAction {
    @Override
    protected Object run() {
        List<String> lines = tree(vms.snapshots(vm));
        System.out.println(lines.isEmpty() ? "VM " + vm + " has no snapshots" : String.join("\n", lines));
        return null;
    }

    /** One line per snapshot, depth-first, oldest sibling first; a snapshot whose parent is gone is a root. */
    static List<String> tree(List<Snapshot> snapshots) {
        List<String> names = snapshots.stream().map(Snapshot::name).toList();
        List<String> lines = new ArrayList<>();
        snapshots.stream().filter(s -> s.parent().filter(names::contains).isEmpty())
                .forEach(root -> add(root, 0, snapshots, lines));
        return lines;
    }

    private static void add(Snapshot snapshot, int depth, List<Snapshot> all, List<String> lines) {
        lines.add("  ".repeat(depth) + snapshot.name() + "  " + snapshot.createdAt() + details(snapshot));
        all.stream().filter(s -> s.parent().equals(Optional.of(snapshot.name())))
                .forEach(child -> add(child, depth + 1, all, lines));
    }

    static String details(Snapshot s) {
        return " (" + s.stateAtSnapshot().name().toLowerCase(Locale.ROOT)
                + (s.includesMemory() ? ", with memory" : "") + (s.external() ? ", disk-only" : "")
                + (s.quiesced() ? ", quiesced" : "") + ")";
    }
}
