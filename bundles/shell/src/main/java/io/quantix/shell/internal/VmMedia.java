package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

@Service
@Command(scope = "qx", name = "vm-media", description = "Inserts an ISO image (a path on the node, or with --pool one of"
        + " the pool's ISO library) into a VM's CD-ROM drive, or ejects it")
public class VmMedia extends VmAction {
    @Argument(index = 1, name = "iso", description = "absolute path of the ISO image on the node, or its name with --pool")
    @Completion(FileCompleter.class)
    String iso;

    @Option(name = "--eject", description = "empty the drive")
    boolean eject;

    @Option(name = "--pool", aliases = "-p", description = "the pool whose ISO library holds the image")
    @Completion(PoolNameCompleter.class)
    String pool;

    @Override
    protected Object run() {
        if (eject == (iso != null)) {
            throw QuantixException.invalid("give either an ISO path or --eject");
        }
        if (pool != null) {
            if (eject) {
                throw QuantixException.invalid("--pool names where an image comes from: not with --eject");
            }
            vms.changeMedia(vm, pool, iso);
        } else {
            vms.changeMedia(vm, Optional.ofNullable(iso));
        }
        System.out.println("VM " + vm + ": " + (eject ? "CD-ROM ejected" : "CD-ROM holds " + (pool == null ? "" : pool + "/")
                + iso));
        return null;
    }
}
