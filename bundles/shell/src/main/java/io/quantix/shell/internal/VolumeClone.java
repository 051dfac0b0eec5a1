package io.quantix.shell.internal;

import io.quantix.api.Volume;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "volume-clone", description = "Clones a volume or template (copy-on-write where the pool can): a VM disk from a template")
public class VolumeClone extends PoolAction {
    @Argument(index = 1, name = "source", required = true, description = "volume or template to clone")
    String source;

    @Argument(index = 2, name = "target", required = true, description = "name of the new volume")
    String target;

    @Override
    protected Object run() {
        Volume v = storage.cloneVolume(pool, source, target);
        System.out.println("volume " + v.ref() + " cloned from " + source + ": " + Format.bytes(v.capacity()) + ", "
                + Format.bytes(v.allocation()) + " allocated");
        return null;
    }
}
