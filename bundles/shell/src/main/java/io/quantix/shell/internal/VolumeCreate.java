package io.quantix.shell.internal;

import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "volume-create", description = "Creates an empty volume (thin where the pool can)")
public class VolumeCreate extends PoolAction {
    @Argument(index = 1, name = "name", required = true, description = "volume name")
    String name;

    @Argument(index = 2, name = "size", required = true, description = "size, e.g. 10G")
    String size;

    @Option(name = "--format", aliases = "-f", description = "qcow2 (default) or raw; a ceph pool takes raw only, an iscsi pool makes no volumes (its LUNs are the target's)")
    String format = "qcow2";

    @Override
    protected Object run() {
        Volume v = storage.createVolume(pool, new VolumeSpec(name, Validation.size("volume size", size),
                format(format)));
        System.out.println("volume " + v.ref() + " created: " + v.format().id() + ", " + Format.bytes(v.capacity()));
        return null;
    }

    static VolumeFormat format(String id) {
        for (VolumeFormat f : VolumeFormat.values()) {
            if (f.id().equals(id.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw io.quantix.api.QuantixException.invalid("volume format " + Validation.quote(id) + " is unknown: use qcow2 or raw");
    }
}
