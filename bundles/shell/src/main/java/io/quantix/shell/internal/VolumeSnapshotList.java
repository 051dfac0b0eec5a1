package io.quantix.shell.internal;

import io.quantix.api.VolumeSnapshot;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "volume-snapshot-list", description = "Lists a volume's snapshots, oldest first")
public class VolumeSnapshotList extends PoolAction {
    @Argument(index = 1, name = "volume", required = true, description = "volume name")
    String volume;

    @Override
    protected Object run() {
        var snapshots = storage.volumeSnapshots(pool, volume);
        if (snapshots.isEmpty()) {
            System.out.println("volume " + pool + "/" + volume + " has no snapshots");
        }
        for (VolumeSnapshot s : snapshots) {
            System.out.println(s.name());
        }
        return null;
    }
}
