package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "volume-snapshot", description = "Takes a snapshot of one volume")
public class VolumeSnapshotCreate extends PoolAction {
    @Argument(index = 1, name = "volume", required = true, description = "volume name")
    String volume;

    @Argument(index = 2, name = "snapshot", required = true, description = "snapshot name")
    String snapshot;

    @Override
    protected Object run() {
        storage.snapshotVolume(pool, volume, snapshot);
        System.out.println("snapshot " + snapshot + " of volume " + pool + "/" + volume + " taken");
        return null;
    }
}
