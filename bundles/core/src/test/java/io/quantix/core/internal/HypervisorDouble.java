package io.quantix.core.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.PowerAction;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.spi.HypervisorBackend;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Base of the core's test doubles of the hypervisor SPI: no VMs, no capabilities, and every operation a test
 * did not ask for fails loudly. Each double overrides only what its test is about.
 */
abstract class HypervisorDouble implements HypervisorBackend {

    @Override
    public List<Vm> list() {
        return List.of();
    }

    @Override
    public Optional<Vm> find(String name) {
        return list().stream().filter(vm -> vm.name().equals(name)).findFirst();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public String description() {
        return "test double";
    }

    @Override
    public Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void power(String name, PowerAction action) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void undefine(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public VmMetrics metrics(String name) {
        throw new UnsupportedOperationException();
    }
}
