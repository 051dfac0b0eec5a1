package io.quantix.grpc.internal;

import com.google.protobuf.Timestamp;
import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Availability;
import io.quantix.api.BackendInfo;
import io.quantix.api.BootDevice;
import io.quantix.api.CloudInit;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.Firmware;
import io.quantix.api.HaPolicy;
import io.quantix.api.IsoImage;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import io.quantix.api.Network;
import io.quantix.api.NetworkSpec;
import io.quantix.api.NetworkType;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.NodeInfo;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.proto.node.v1.CreateSnapshotRequest;
import io.quantix.proto.node.v1.MigrateVMRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Converts between the protobuf messages and the API records. Going in, proto3's unset values (0, "", the
 * UNSPECIFIED constant) mean "the node's default" where the API has one, and the API records validate the rest:
 * this class decides no rule of its own.
 */
final class Protos {
    private Protos() {
    }

    // ---------- requests: proto -> API ----------

    static VmSpec vmSpec(io.quantix.proto.node.v1.VMSpec p) {
        VmSpec.Builder spec = VmSpec.builder(p.getName());
        if (!p.getHypervisor().isEmpty()) {
            spec.hypervisor(p.getHypervisor());
        }
        if (p.getVcpus() != 0) {
            spec.vcpus(p.getVcpus());
        }
        if (p.getMemoryMib() != 0) {
            spec.memoryMiB(p.getMemoryMib());
        }
        if (p.getFirmware() != io.quantix.proto.node.v1.Firmware.FIRMWARE_UNSPECIFIED) {
            spec.firmware(switch (p.getFirmware()) {
                case BIOS -> Firmware.BIOS;
                case UEFI -> Firmware.UEFI;
                default -> throw unknown("firmware", p.getFirmwareValue());
            });
        }
        if (p.hasHa()) {
            spec.ha(new HaPolicy(p.getHa().getEnabled(), p.getHa().getRestartPriority()));
        }
        if (p.hasDirectBoot()) {
            var d = p.getDirectBoot();
            spec.directBoot(new DirectBoot(d.getKernel(), d.getInitrd(), d.getCmdline()));
        }
        p.getDisksList().forEach(d -> spec.disk(diskSpec(d)));
        p.getNicsList().forEach(n -> spec.nic(nicSpec(n)));
        for (int i = 0; i < p.getBootOrderCount(); i++) {
            spec.boot(switch (p.getBootOrder(i)) {
                case BOOT_DISK -> BootDevice.DISK;
                case BOOT_CDROM -> BootDevice.CDROM;
                case BOOT_NETWORK -> BootDevice.NETWORK;
                default -> throw unknown("boot device", p.getBootOrderValue(i));
            });
        }
        p.getTagsList().forEach(spec::tag);
        return spec.build();
    }

    static Optional<CloudInit> cloudInit(io.quantix.proto.node.v1.CreateVMRequest request) {
        if (!request.hasCloudInit()) {
            return Optional.empty();
        }
        var c = request.getCloudInit();
        return Optional.of(new CloudInit(c.getUserData(), c.getMetaData(),
                c.hasNetworkConfig() ? Optional.of(c.getNetworkConfig()) : Optional.empty()));
    }

    static DiskSpec diskSpec(io.quantix.proto.node.v1.DiskSpec p) {
        // an unspecified format is the pool's choice (qcow2 where the backend has it, else raw)
        Optional<VolumeFormat> format = p.getFormat() == io.quantix.proto.node.v1.VolumeFormat.VOLUME_FORMAT_UNSPECIFIED
                ? Optional.empty() : Optional.of(format(p.getFormat(), p.getFormatValue()));
        return new DiskSpec(p.getPool(), p.getSizeBytes(), format,
                switch (p.getBus()) {
                    case DISK_BUS_UNSPECIFIED, VIRTIO -> DiskBus.VIRTIO;
                    case SCSI -> DiskBus.SCSI;
                    case SATA -> DiskBus.SATA;
                    default -> throw unknown("disk bus", p.getBusValue());
                });
    }

    static NicSpec nicSpec(io.quantix.proto.node.v1.NicSpec p) {
        return new NicSpec(p.getNetwork(), p.getMac().isEmpty() ? Optional.empty() : Optional.of(p.getMac()),
                switch (p.getModel()) {
                    case NIC_MODEL_UNSPECIFIED, NIC_VIRTIO -> NicModel.VIRTIO;
                    case NIC_E1000 -> NicModel.E1000;
                    default -> throw unknown("NIC model", p.getModelValue());
                });
    }

    static VolumeFormat format(io.quantix.proto.node.v1.VolumeFormat format, int value) {
        return switch (format) {
            case VOLUME_FORMAT_UNSPECIFIED, QCOW2 -> VolumeFormat.QCOW2;
            case RAW -> VolumeFormat.RAW;
            default -> throw unknown("volume format", value);
        };
    }

    static VolumeRef volumeRef(io.quantix.proto.node.v1.VolumeRef p) {
        return new VolumeRef(p.getPool(), p.getVolume());
    }

    static ConsoleType consoleType(io.quantix.proto.node.v1.ConsoleType type, int value) {
        return switch (type) {
            case CONSOLE_TYPE_UNSPECIFIED, VNC -> ConsoleType.VNC;
            case SPICE -> ConsoleType.SPICE;
            case SERIAL -> ConsoleType.SERIAL;
            default -> throw unknown("console type", value);
        };
    }

    /** Empty for UNSPECIFIED: the filter is off. */
    static Optional<PowerState> stateFilter(io.quantix.proto.node.v1.PowerState state, int value) {
        return switch (state) {
            case POWER_STATE_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> throw unknown("power state", value);
            default -> Optional.of(PowerState.valueOf(state.name()));
        };
    }

    static SnapshotSpec snapshotSpec(CreateSnapshotRequest p) {
        return new SnapshotSpec(p.getName(), p.getIncludeMemory(), p.getDiskOnly(), p.getDescription());
    }

    static MigrationSpec migrationSpec(MigrateVMRequest p) {
        return new MigrationSpec(p.getTargetUri(), p.getLive(),
                p.getMigrateUri().isEmpty() ? Optional.empty() : Optional.of(p.getMigrateUri()), p.getMaxDowntimeMillis());
    }

    static StoragePoolSpec poolSpec(io.quantix.proto.node.v1.StoragePoolSpec p) {
        return new StoragePoolSpec(p.getName(), p.getBackend(), p.getOptionsMap());
    }

    static VolumeSpec volumeSpec(io.quantix.proto.node.v1.CreateVolumeRequest p) {
        return new VolumeSpec(p.getName(), p.getSizeBytes(), format(p.getFormat(), p.getFormatValue()));
    }

    static NetworkSpec networkSpec(io.quantix.proto.node.v1.NetworkSpec p) {
        NetworkType type = switch (p.getType()) {
            case NETWORK_TYPE_UNSPECIFIED, BRIDGE -> NetworkType.BRIDGE;
            case VLAN -> NetworkType.VLAN;
            case OVERLAY -> NetworkType.OVERLAY;
            default -> throw unknown("network type", p.getTypeValue());
        };
        return new NetworkSpec(p.getName(), p.getDriver(), type, optional(p.getCidr()), optional(p.getGateway()),
                p.getDhcp(), p.getVlanId() == 0 ? OptionalInt.empty() : OptionalInt.of(p.getVlanId()),
                optional(p.getBridge()));
    }

    private static Optional<String> optional(String value) {
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static QuantixException unknown(String what, int value) {
        return QuantixException.invalid(what + " " + value + " is not one this node knows");
    }

    // ---------- answers: API -> proto ----------

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    static io.quantix.proto.node.v1.VM vm(Vm vm) {
        var b = io.quantix.proto.node.v1.VM.newBuilder().setId(vm.id()).setSpec(vmSpec(vm.spec()))
                .setState(state(vm.state()));
        for (AttachedDisk d : vm.disks()) {
            b.addDisks(io.quantix.proto.node.v1.AttachedDisk.newBuilder().setVolume(volumeRef(d.volume()))
                    .setSource(source(d.source())).setFormat(format(d.format())).setBus(bus(d.bus())));
        }
        for (AttachedNic n : vm.nics()) {
            var nic = io.quantix.proto.node.v1.AttachedNic.newBuilder().setNetwork(n.network()).setPortId(n.portId())
                    .setMac(n.mac()).setModel(model(n.model()));
            if (n.binding() instanceof NicBinding.Bridge bridge) {
                nic.setBridge(bridge.bridge());
            }
            b.addNics(nic);
        }
        return b.build();
    }

    static io.quantix.proto.node.v1.VMSpec vmSpec(VmSpec s) {
        var b = io.quantix.proto.node.v1.VMSpec.newBuilder().setName(s.name()).setHypervisor(s.hypervisor())
                .setVcpus(s.vcpus()).setMemoryMib(s.memoryMiB())
                .setFirmware(io.quantix.proto.node.v1.Firmware.valueOf(s.firmware().name()))
                .setHa(io.quantix.proto.node.v1.HaPolicy.newBuilder().setEnabled(s.ha().enabled())
                        .setRestartPriority(s.ha().restartPriority()))
                .addAllTags(s.tags());
        s.disks().forEach(d -> b.addDisks(io.quantix.proto.node.v1.DiskSpec.newBuilder().setPool(d.pool())
                .setSizeBytes(d.sizeBytes())
                .setFormat(d.format().map(Protos::format).orElse(io.quantix.proto.node.v1.VolumeFormat.VOLUME_FORMAT_UNSPECIFIED))
                .setBus(bus(d.bus()))));
        s.nics().forEach(n -> b.addNics(io.quantix.proto.node.v1.NicSpec.newBuilder().setNetwork(n.network())
                .setMac(n.mac().orElse("")).setModel(model(n.model()))));
        s.bootOrder().forEach(d -> b.addBootOrder(io.quantix.proto.node.v1.BootDevice.valueOf("BOOT_" + d.name())));
        s.directBoot().ifPresent(d -> b.setDirectBoot(io.quantix.proto.node.v1.DirectBoot.newBuilder()
                .setKernel(d.kernel()).setInitrd(d.initrd()).setCmdline(d.cmdline())));
        return b.build();
    }

    static io.quantix.proto.node.v1.PowerState state(PowerState state) {
        return io.quantix.proto.node.v1.PowerState.valueOf(state.name());
    }

    static io.quantix.proto.node.v1.VolumeFormat format(VolumeFormat format) {
        return io.quantix.proto.node.v1.VolumeFormat.valueOf(format.name());
    }

    static io.quantix.proto.node.v1.DiskBus bus(DiskBus bus) {
        return io.quantix.proto.node.v1.DiskBus.valueOf(bus.name());
    }

    static io.quantix.proto.node.v1.NicModel model(NicModel model) {
        return io.quantix.proto.node.v1.NicModel.valueOf("NIC_" + model.name());
    }

    static io.quantix.proto.node.v1.VolumeRef volumeRef(VolumeRef ref) {
        return io.quantix.proto.node.v1.VolumeRef.newBuilder().setPool(ref.pool()).setVolume(ref.volume()).build();
    }

    /** Network credentials never leave the node: only the protocol, name and hosts. */
    static io.quantix.proto.node.v1.DiskSource source(DiskSource source) {
        var b = io.quantix.proto.node.v1.DiskSource.newBuilder();
        if (source instanceof DiskSource.File f) {
            b.setFile(f.path());
        } else if (source instanceof DiskSource.Network n) {
            var net = io.quantix.proto.node.v1.NetworkDisk.newBuilder().setProtocol(n.protocol().name()).setName(n.name());
            n.hosts().forEach(h -> net.addHosts(h.name() + ":" + h.port()));
            b.setNetwork(net);
        }
        return b.build();
    }

    static io.quantix.proto.node.v1.VMMetrics metrics(VmMetrics m) {
        return io.quantix.proto.node.v1.VMMetrics.newBuilder().setVm(m.vm()).setAt(timestamp(m.at()))
                .setCpuTimeNanos(m.totalCpuNanos()).setGuestCpuNanos(m.guestCpuNanos())
                .setTotalCpuNanos(m.totalCpuNanos()).setVcpus(m.vcpus()).setMemoryBytes(m.memoryBytes())
                .setDiskReadBytes(m.diskReadBytes()).setDiskWriteBytes(m.diskWriteBytes())
                .setNetRxBytes(m.netRxBytes()).setNetTxBytes(m.netTxBytes()).build();
    }

    static io.quantix.proto.node.v1.ConsoleEndpoint console(ConsoleEndpoint c) {
        var b = io.quantix.proto.node.v1.ConsoleEndpoint.newBuilder()
                .setType(io.quantix.proto.node.v1.ConsoleType.valueOf(c.type().name())).setHost(c.host())
                .setPort(c.port()).setPassword(c.password().orElse("")).setPath(c.path().orElse(""));
        c.expiresAt().ifPresent(t -> b.setExpiresAt(timestamp(t)));
        return b.build();
    }

    static io.quantix.proto.node.v1.Snapshot snapshot(Snapshot s) {
        return io.quantix.proto.node.v1.Snapshot.newBuilder().setName(s.name()).setParent(s.parent().orElse(""))
                .setCreatedAt(timestamp(s.createdAt())).setIncludesMemory(s.includesMemory()).setExternal(s.external())
                .setStateAtSnapshot(state(s.stateAtSnapshot())).build();
    }

    static io.quantix.proto.node.v1.MigrationProgress progress(MigrationProgress p) {
        return io.quantix.proto.node.v1.MigrationProgress.newBuilder()
                .setPhase(io.quantix.proto.node.v1.MigrationProgress.Phase.valueOf(p.phase().name()))
                .setDataTotal(p.dataTotal()).setDataProcessed(p.dataProcessed()).setDataRemaining(p.dataRemaining())
                .setDirtyRate(p.dirtyRate()).setDowntimeMillis(p.downtimeMillis()).setElapsedMillis(p.elapsedMillis())
                .build();
    }

    static io.quantix.proto.node.v1.NodeInfo nodeInfo(NodeInfo n) {
        var b = io.quantix.proto.node.v1.NodeInfo.newBuilder().setHostname(n.hostname()).setVersion(n.version())
                .setCpus(n.cpus()).setMemoryBytes(n.memoryBytes()).setSimulated(n.simulated());
        n.backends().forEach(backend -> b.addBackends(backend(backend)));
        return b.build();
    }

    static io.quantix.proto.node.v1.Backend backend(BackendInfo i) {
        return io.quantix.proto.node.v1.Backend.newBuilder().setKind(i.kind().name()).setName(i.name())
                .setDescription(i.description()).setSimulated(i.simulated())
                .addAllCapabilities(i.capabilities().stream().map(Enum::name).sorted().toList()).build();
    }

    static io.quantix.proto.node.v1.Event event(QuantixEvent e) {
        return io.quantix.proto.node.v1.Event.newBuilder().setKind(e.kind().name()).setType(e.type())
                .setSubject(e.subject()).setMessage(e.message()).setAt(timestamp(e.at())).setTopic(e.topic()).build();
    }

    static io.quantix.proto.node.v1.Availability availability(Availability a) {
        return switch (a) {
            case AVAILABLE -> io.quantix.proto.node.v1.Availability.AVAILABLE;
            case UNAVAILABLE -> io.quantix.proto.node.v1.Availability.NOT_AVAILABLE;
            case ERROR -> io.quantix.proto.node.v1.Availability.ERROR;
        };
    }

    static io.quantix.proto.node.v1.StoragePool pool(StoragePool p) {
        return io.quantix.proto.node.v1.StoragePool.newBuilder()
                .setSpec(io.quantix.proto.node.v1.StoragePoolSpec.newBuilder().setName(p.spec().name())
                        .setBackend(p.spec().backend()).putAllOptions(p.spec().options()))
                .setStatus(availability(p.status())).setCapacity(p.capacity()).setAllocation(p.allocation())
                .setAvailable(p.available()).setMessage(p.message().orElse("")).build();
    }

    static io.quantix.proto.node.v1.Volume volume(Volume v) {
        return io.quantix.proto.node.v1.Volume.newBuilder().setRef(volumeRef(v.ref())).setFormat(format(v.format()))
                .setCapacity(v.capacity()).setAllocation(v.allocation()).setSource(source(v.source()))
                .setTemplate(v.template()).build();
    }

    static io.quantix.proto.node.v1.VolumeSnapshot volumeSnapshot(VolumeSnapshot s) {
        return io.quantix.proto.node.v1.VolumeSnapshot.newBuilder().setVolume(volumeRef(s.volume())).setName(s.name())
                .build();
    }

    static io.quantix.proto.node.v1.IsoImage iso(IsoImage i) {
        return io.quantix.proto.node.v1.IsoImage.newBuilder().setPool(i.pool()).setName(i.name())
                .setSizeBytes(i.sizeBytes()).setSource(source(i.source())).build();
    }

    static io.quantix.proto.node.v1.Network network(Network n) {
        NetworkSpec s = n.spec();
        var spec = io.quantix.proto.node.v1.NetworkSpec.newBuilder().setName(s.name()).setDriver(s.driver())
                .setType(io.quantix.proto.node.v1.NetworkType.valueOf(s.type().name())).setCidr(s.cidr().orElse(""))
                .setGateway(s.gateway().orElse("")).setDhcp(s.dhcp()).setVlanId(s.vlanId().orElse(0))
                .setBridge(s.bridge().orElse(""));
        return io.quantix.proto.node.v1.Network.newBuilder().setSpec(spec).setStatus(availability(n.status()))
                .setMessage(n.message().orElse("")).build();
    }
}
