package io.quantix.core.internal;

import io.quantix.api.Validation;
import io.quantix.api.VolumeRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Everything a VM create will make, named before it makes the first of it: the intent journal keeps this on disk
 * until the create has succeeded or been rolled back, so that a node killed part way can undo what it had made.
 *
 * @param id the VM's UUID, which its domain gets
 * @param vm the VM's name
 * @param hypervisor the backend the VM is defined on
 * @param volumes the disk volumes it creates, in order
 * @param ports the NIC ports it creates, in order
 * @param seed whether it writes a cloud-init seed (named after the id)
 */
record CreateIntent(String id, String vm, String hypervisor, List<VolumeRef> volumes, List<Port> ports, boolean seed) {

    /** A port the create will ask the network's driver for. */
    record Port(String network, String id, String mac) {
        Port {
            Validation.name("network", network);
            Validation.required("port id", id);
            Validation.required("MAC address", mac);
        }
    }

    CreateIntent {
        UUID.fromString(Validation.required("VM id", id));
        Validation.name("VM", vm);
        Validation.name("hypervisor", hypervisor);
        volumes = List.copyOf(volumes);
        ports = List.copyOf(ports);
    }

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("operation", "vm-create");
        p.setProperty("id", id);
        p.setProperty("vm", vm);
        p.setProperty("hypervisor", hypervisor);
        p.setProperty("seed", Boolean.toString(seed));
        for (int i = 0; i < volumes.size(); i++) {
            p.setProperty("volume." + i + ".pool", volumes.get(i).pool());
            p.setProperty("volume." + i + ".name", volumes.get(i).volume());
        }
        for (int i = 0; i < ports.size(); i++) {
            p.setProperty("port." + i + ".network", ports.get(i).network());
            p.setProperty("port." + i + ".id", ports.get(i).id());
            p.setProperty("port." + i + ".mac", ports.get(i).mac());
        }
        return p;
    }

    /** The intent a journal file holds; INVALID_ARGUMENT (from the records' validation) if it is not one. */
    static CreateIntent of(Map<String, String> p) {
        if (!"vm-create".equals(p.get("operation"))) {
            throw io.quantix.api.QuantixException.invalid("not a VM create intent: operation " + p.get("operation"));
        }
        List<VolumeRef> volumes = new ArrayList<>();
        for (int i = 0; p.containsKey("volume." + i + ".pool"); i++) {
            volumes.add(new VolumeRef(p.get("volume." + i + ".pool"), p.get("volume." + i + ".name")));
        }
        List<Port> ports = new ArrayList<>();
        for (int i = 0; p.containsKey("port." + i + ".network"); i++) {
            ports.add(new Port(p.get("port." + i + ".network"), p.get("port." + i + ".id"), p.get("port." + i + ".mac")));
        }
        return new CreateIntent(p.get("id"), p.get("vm"), p.get("hypervisor"), volumes, ports,
                Boolean.parseBoolean(p.get("seed")));
    }
}
