package io.quantix.shell.internal;

import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "qx", name = "vm-migrate", description = "Moves a VM to another node's hypervisor, live while it runs"
        + " (or offline when stopped), printing its progress about once a second; qx:vm-migrate-cancel stops it")
public class VmMigrate extends VmAction {
    @Argument(index = 1, name = "target-uri", required = true,
            description = "the destination's hypervisor URI, e.g. qemu+tls://node2/system")
    String targetUri;

    @Option(name = "--offline", description = "move only the definition of a stopped VM (refused while it runs)")
    boolean offline;

    @Option(name = "--migrate-uri", description = "where the destination receives the guest's memory, e.g."
            + " tcp://10.0.0.2:49152 (default: the hypervisor chooses)")
    String migrateUri;

    @Option(name = "--max-downtime", description = "longest pause (ms) the guest may see at the switch-over;"
            + " 0 keeps the hypervisor's default")
    long maxDowntime;

    @Reference
    Session session;

    @Override
    protected Object run() {
        MigrationSpec spec = new MigrationSpec(targetUri, !offline, Optional.ofNullable(migrateUri), maxDowntime);
        // Progress arrives on the backend's thread: write to this session's console, not to that thread's System.out.
        PrintStream console = session.getConsole();
        vms.migrate(vm, spec, progress -> console.println(describe(vm, progress)));
        return null;
    }

    /** One progress line: what moved, what is left, and for a finished migration, the guest's pause. */
    static String describe(String vm, MigrationProgress p) {
        String phase = "VM " + vm + ": " + p.phase().name().toLowerCase(Locale.ROOT);
        String time = String.format(Locale.ROOT, "%.1f s", p.elapsedMillis() / 1000.0);
        return switch (p.phase()) {
            case STARTING -> phase;
            case TRANSFERRING -> phase + " " + Format.bytes(p.dataProcessed()) + " of " + Format.bytes(p.dataTotal())
                    + ", " + Format.bytes(p.dataRemaining()) + " left, " + p.dirtyRate() + " pages/s dirtied, " + time;
            case COMPLETED -> phase + " in " + time + ", downtime " + p.downtimeMillis() + " ms, "
                    + Format.bytes(p.dataProcessed()) + " sent";
            case CANCELLED, FAILED -> phase + " after " + time + ": the VM stays on this node";
        };
    }
}
