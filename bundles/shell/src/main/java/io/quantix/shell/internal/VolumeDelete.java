package io.quantix.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "volume-delete", description = "Deletes a volume or template (refused while a VM or a clone uses it)")
public class VolumeDelete extends PoolAction {
    @Argument(index = 1, name = "volume", required = true, description = "volume name")
    String volume;

    @Override
    protected Object run() {
        storage.deleteVolume(pool, volume);
        System.out.println("volume " + pool + "/" + volume + " deleted");
        return null;
    }
}
