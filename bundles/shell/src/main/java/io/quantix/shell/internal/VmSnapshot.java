package io.quantix.shell.internal;

import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-snapshot", description = "Takes a snapshot of a VM: with its memory (--memory, a running"
        + " VM), disk-only into overlay files (--disk-only), or of a stopped VM's disks")
public class VmSnapshot extends VmAction {
    @Argument(index = 1, name = "snapshot", required = true, description = "snapshot name")
    String snapshot;

    @Option(name = "--memory", description = "also save the running guest's memory: a revert resumes it")
    boolean memory;

    @Option(name = "--disk-only", description = "freeze the disks and write on into new overlay files")
    boolean diskOnly;

    @Option(name = "--description", description = "free text")
    String description = "";

    @Option(name = "--quiesce", description = "for a running VM's disk-only snapshot, freeze the guest's filesystems"
            + " through its agent: auto (when it answers, the default), required (or fail), off")
    String quiesce = "auto";

    @Override
    protected Object run() {
        Snapshot taken = vms.snapshot(vm, new SnapshotSpec(snapshot, memory, diskOnly, description,
                Choices.of("quiesce", quiesce, SnapshotSpec.Quiesce.class)));
        System.out.println("VM " + vm + ": snapshot " + taken.name() + " taken" + VmSnapshotList.details(taken));
        return null;
    }
}
