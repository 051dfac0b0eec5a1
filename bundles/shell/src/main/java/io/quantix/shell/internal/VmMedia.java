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
@Command(scope = "qx", name = "vm-media", description = "Inserts an ISO image into a VM's CD-ROM drive, or ejects it")
public class VmMedia extends VmAction {
    @Argument(index = 1, name = "iso", description = "absolute path of the ISO image on the node")
    @Completion(FileCompleter.class)
    String iso;

    @Option(name = "--eject", description = "empty the drive")
    boolean eject;

    @Override
    protected Object run() {
        if (eject == (iso != null)) {
            throw QuantixException.invalid("give either an ISO path or --eject");
        }
        vms.changeMedia(vm, Optional.ofNullable(iso));
        System.out.println("VM " + vm + ": " + (eject ? "CD-ROM ejected" : "CD-ROM holds " + iso));
        return null;
    }
}
