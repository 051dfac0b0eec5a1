package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.VolumeRef;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-disk-detach", description = "Unplugs a disk from a VM; the volume is kept unless --delete")
public class VmDiskDetach extends VmAction {
    @Argument(index = 1, name = "volume", required = true, description = "the disk's volume: POOL/VOLUME")
    String volume;

    @Option(name = "--delete", description = "also delete the volume")
    boolean delete;

    @Override
    protected Object run() {
        VolumeRef ref = volume(volume);
        vms.detachDisk(vm, ref, delete);
        System.out.println("VM " + vm + ": disk " + ref + " detached" + (delete ? " and its volume deleted" : ""));
        return null;
    }

    /** POOL/VOLUME, as volumes print. */
    static VolumeRef volume(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length != 2) {
            throw QuantixException.invalid("volume " + Validation.quote(text) + " is not POOL/VOLUME");
        }
        return new VolumeRef(parts[0], parts[1]);
    }
}
