package io.quantix.shell.internal;

import io.quantix.api.Validation;
import io.quantix.api.Volume;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "volume-resize", description = "Grows a volume; a running VM's disk grows live and its guest sees the new size")
public class VolumeResize extends PoolAction {
    @Argument(index = 1, name = "volume", required = true, description = "volume name")
    String volume;

    @Argument(index = 2, name = "size", required = true, description = "new size, e.g. 20G")
    String size;

    @Override
    protected Object run() {
        Volume v = storage.resizeVolume(pool, volume, Validation.size("volume size", size));
        System.out.println("volume " + v.ref() + " is now " + Format.bytes(v.capacity()));
        return null;
    }
}
