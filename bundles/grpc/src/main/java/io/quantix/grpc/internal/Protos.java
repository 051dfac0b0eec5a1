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
import io.quantix.api.cluster.ClusterMember;
import io.quantix.api.cluster.ClusterStatus;
import io.quantix.api.cluster.ClusterVm;
import io.quantix.api.cluster.DrsMove;
import io.quantix.api.cluster.DrsProposal;
import io.quantix.api.cluster.JoinToken;
import io.quantix.api.cluster.NodeState;
import io.quantix.proto.node.v1.CreateSnapshotRequest;
import io.quantix.proto.node.v1.MigrateVMRequest;
import java.time.Instant;
import java.util.List;
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
        firmware(p.getFirmware(), p.getFirmwareValue()).ifPresent(spec::firmware);
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
            spec.boot(bootDevice(p.getBootOrder(i), p.getBootOrderValue(i)));
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
        return new DiskSpec(p.getPool(), p.getSizeBytes(), format, bus(p.getBus(), p.getBusValue()));
    }

    static NicSpec nicSpec(io.quantix.proto.node.v1.NicSpec p) {
        return new NicSpec(p.getNetwork(), p.getMac().isEmpty() ? Optional.empty() : Optional.of(p.getMac()),
                model(p.getModel(), p.getModelValue()));
    }

    // Every enum is mapped by an exhaustive switch without a default branch, both ways: a constant added on
    // either side does not compile until it is mapped here (name-based valueOf failed at run time instead).
    // UNRECOGNIZED is a number this build of the proto does not know.

    /** Empty for UNSPECIFIED: the node's default. */
    static Optional<Firmware> firmware(io.quantix.proto.node.v1.Firmware firmware, int value) {
        return switch (firmware) {
            case FIRMWARE_UNSPECIFIED -> Optional.empty();
            case BIOS -> Optional.of(Firmware.BIOS);
            case UEFI -> Optional.of(Firmware.UEFI);
            case UEFI_SECURE_BOOT -> Optional.of(Firmware.UEFI_SECURE_BOOT);
            case UNRECOGNIZED -> throw unknown("firmware", value);
        };
    }

    /** AUTO is proto3's default on purpose: a client that says nothing gets the quiesced snapshot people expect. */
    static SnapshotSpec.Quiesce quiesce(io.quantix.proto.node.v1.Quiesce quiesce, int value) {
        return switch (quiesce) {
            case QUIESCE_AUTO -> SnapshotSpec.Quiesce.AUTO;
            case QUIESCE_REQUIRED -> SnapshotSpec.Quiesce.REQUIRED;
            case QUIESCE_OFF -> SnapshotSpec.Quiesce.OFF;
            case UNRECOGNIZED -> throw unknown("quiesce", value);
        };
    }

    static BootDevice bootDevice(io.quantix.proto.node.v1.BootDevice device, int value) {
        return switch (device) {
            case BOOT_DISK -> BootDevice.DISK;
            case BOOT_CDROM -> BootDevice.CDROM;
            case BOOT_NETWORK -> BootDevice.NETWORK;
            // a boot order lists devices: "unspecified" is not one
            case BOOT_DEVICE_UNSPECIFIED, UNRECOGNIZED -> throw unknown("boot device", value);
        };
    }

    static DiskBus bus(io.quantix.proto.node.v1.DiskBus bus, int value) {
        return switch (bus) {
            case DISK_BUS_UNSPECIFIED, VIRTIO -> DiskBus.VIRTIO;
            case SCSI -> DiskBus.SCSI;
            case SATA -> DiskBus.SATA;
            case UNRECOGNIZED -> throw unknown("disk bus", value);
        };
    }

    static NicModel model(io.quantix.proto.node.v1.NicModel model, int value) {
        return switch (model) {
            case NIC_MODEL_UNSPECIFIED, NIC_VIRTIO -> NicModel.VIRTIO;
            case NIC_E1000 -> NicModel.E1000;
            case UNRECOGNIZED -> throw unknown("NIC model", value);
        };
    }

    static VolumeFormat format(io.quantix.proto.node.v1.VolumeFormat format, int value) {
        return switch (format) {
            case VOLUME_FORMAT_UNSPECIFIED, QCOW2 -> VolumeFormat.QCOW2;
            case RAW -> VolumeFormat.RAW;
            case UNRECOGNIZED -> throw unknown("volume format", value);
        };
    }

    static NetworkType networkType(io.quantix.proto.node.v1.NetworkType type, int value) {
        return switch (type) {
            case NETWORK_TYPE_UNSPECIFIED, BRIDGE -> NetworkType.BRIDGE;
            case VLAN -> NetworkType.VLAN;
            case OVERLAY -> NetworkType.OVERLAY;
            case UNRECOGNIZED -> throw unknown("network type", value);
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
            case UNRECOGNIZED -> throw unknown("console type", value);
        };
    }

    /** Empty for UNSPECIFIED: the filter is off. */
    static Optional<PowerState> stateFilter(io.quantix.proto.node.v1.PowerState state, int value) {
        return switch (state) {
            case POWER_STATE_UNSPECIFIED -> Optional.empty();
            case RUNNING -> Optional.of(PowerState.RUNNING);
            case PAUSED -> Optional.of(PowerState.PAUSED);
            case SHUTTING_DOWN -> Optional.of(PowerState.SHUTTING_DOWN);
            case STOPPED -> Optional.of(PowerState.STOPPED);
            case CRASHED -> Optional.of(PowerState.CRASHED);
            case UNAVAILABLE -> Optional.of(PowerState.UNAVAILABLE);
            case UNRECOGNIZED -> throw unknown("power state", value);
        };
    }

    static SnapshotSpec snapshotSpec(CreateSnapshotRequest p) {
        return new SnapshotSpec(p.getName(), p.getIncludeMemory(), p.getDiskOnly(), p.getDescription(),
                quiesce(p.getQuiesce(), p.getQuiesceValue()));
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
        return new NetworkSpec(p.getName(), p.getDriver(), networkType(p.getType(), p.getTypeValue()), optional(p.getCidr()), optional(p.getGateway()),
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

    static io.quantix.proto.node.v1.VM vm(Vm vm, List<io.quantix.api.agent.GuestInterface> guest) {
        var b = io.quantix.proto.node.v1.VM.newBuilder().setId(vm.id()).setSpec(vmSpec(vm.spec()))
                .setState(state(vm.state())).setVersion(vm.version());
        guest.forEach(nic -> b.addGuestInterfaces(guestInterface(nic)));
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

    static io.quantix.proto.node.v1.GuestInterface guestInterface(io.quantix.api.agent.GuestInterface nic) {
        var n = io.quantix.proto.node.v1.GuestInterface.newBuilder().setName(nic.name()).setMac(nic.mac());
        for (io.quantix.api.agent.GuestAddress a : nic.addresses()) {
            n.addAddresses(io.quantix.proto.node.v1.GuestAddress.newBuilder().setAddress(a.address())
                    .setPrefix(a.prefix()).setIpv6(a.family() == io.quantix.api.agent.GuestAddress.Family.IPV6));
        }
        return n.build();
    }

    static io.quantix.proto.node.v1.VMSpec vmSpec(VmSpec s) {
        var b = io.quantix.proto.node.v1.VMSpec.newBuilder().setName(s.name()).setHypervisor(s.hypervisor())
                .setVcpus(s.vcpus()).setMemoryMib(s.memoryMiB())
                .setFirmware(firmware(s.firmware()))
                .setHa(io.quantix.proto.node.v1.HaPolicy.newBuilder().setEnabled(s.ha().enabled())
                        .setRestartPriority(s.ha().restartPriority()))
                .addAllTags(s.tags());
        s.disks().forEach(d -> b.addDisks(io.quantix.proto.node.v1.DiskSpec.newBuilder().setPool(d.pool())
                .setSizeBytes(d.sizeBytes())
                .setFormat(d.format().map(Protos::format).orElse(io.quantix.proto.node.v1.VolumeFormat.VOLUME_FORMAT_UNSPECIFIED))
                .setBus(bus(d.bus()))));
        s.nics().forEach(n -> b.addNics(io.quantix.proto.node.v1.NicSpec.newBuilder().setNetwork(n.network())
                .setMac(n.mac().orElse("")).setModel(model(n.model()))));
        s.bootOrder().forEach(d -> b.addBootOrder(bootDevice(d)));
        s.directBoot().ifPresent(d -> b.setDirectBoot(io.quantix.proto.node.v1.DirectBoot.newBuilder()
                .setKernel(d.kernel()).setInitrd(d.initrd()).setCmdline(d.cmdline())));
        return b.build();
    }

    static io.quantix.proto.node.v1.Firmware firmware(Firmware firmware) {
        return switch (firmware) {
            case BIOS -> io.quantix.proto.node.v1.Firmware.BIOS;
            case UEFI -> io.quantix.proto.node.v1.Firmware.UEFI;
            case UEFI_SECURE_BOOT -> io.quantix.proto.node.v1.Firmware.UEFI_SECURE_BOOT;
        };
    }

    static io.quantix.proto.node.v1.BootDevice bootDevice(BootDevice device) {
        return switch (device) {
            case DISK -> io.quantix.proto.node.v1.BootDevice.BOOT_DISK;
            case CDROM -> io.quantix.proto.node.v1.BootDevice.BOOT_CDROM;
            case NETWORK -> io.quantix.proto.node.v1.BootDevice.BOOT_NETWORK;
        };
    }

    static io.quantix.proto.node.v1.PowerState state(PowerState state) {
        return switch (state) {
            case RUNNING -> io.quantix.proto.node.v1.PowerState.RUNNING;
            case PAUSED -> io.quantix.proto.node.v1.PowerState.PAUSED;
            case SHUTTING_DOWN -> io.quantix.proto.node.v1.PowerState.SHUTTING_DOWN;
            case STOPPED -> io.quantix.proto.node.v1.PowerState.STOPPED;
            case CRASHED -> io.quantix.proto.node.v1.PowerState.CRASHED;
            case UNAVAILABLE -> io.quantix.proto.node.v1.PowerState.UNAVAILABLE;
        };
    }

    static io.quantix.proto.node.v1.VolumeFormat format(VolumeFormat format) {
        return switch (format) {
            case QCOW2 -> io.quantix.proto.node.v1.VolumeFormat.QCOW2;
            case RAW -> io.quantix.proto.node.v1.VolumeFormat.RAW;
        };
    }

    static io.quantix.proto.node.v1.DiskBus bus(DiskBus bus) {
        return switch (bus) {
            case VIRTIO -> io.quantix.proto.node.v1.DiskBus.VIRTIO;
            case SCSI -> io.quantix.proto.node.v1.DiskBus.SCSI;
            case SATA -> io.quantix.proto.node.v1.DiskBus.SATA;
        };
    }

    static io.quantix.proto.node.v1.NicModel model(NicModel model) {
        return switch (model) {
            case VIRTIO -> io.quantix.proto.node.v1.NicModel.NIC_VIRTIO;
            case E1000 -> io.quantix.proto.node.v1.NicModel.NIC_E1000;
        };
    }

    static io.quantix.proto.node.v1.ConsoleType consoleType(ConsoleType type) {
        return switch (type) {
            case VNC -> io.quantix.proto.node.v1.ConsoleType.VNC;
            case SPICE -> io.quantix.proto.node.v1.ConsoleType.SPICE;
            case SERIAL -> io.quantix.proto.node.v1.ConsoleType.SERIAL;
        };
    }

    static io.quantix.proto.node.v1.NetworkType networkType(NetworkType type) {
        return switch (type) {
            case BRIDGE -> io.quantix.proto.node.v1.NetworkType.BRIDGE;
            case VLAN -> io.quantix.proto.node.v1.NetworkType.VLAN;
            case OVERLAY -> io.quantix.proto.node.v1.NetworkType.OVERLAY;
        };
    }

    static io.quantix.proto.node.v1.MigrationProgress.Phase phase(MigrationProgress.Phase phase) {
        return switch (phase) {
            case STARTING -> io.quantix.proto.node.v1.MigrationProgress.Phase.STARTING;
            case TRANSFERRING -> io.quantix.proto.node.v1.MigrationProgress.Phase.TRANSFERRING;
            case COMPLETED -> io.quantix.proto.node.v1.MigrationProgress.Phase.COMPLETED;
            case CANCELLED -> io.quantix.proto.node.v1.MigrationProgress.Phase.CANCELLED;
            case FAILED -> io.quantix.proto.node.v1.MigrationProgress.Phase.FAILED;
        };
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
                .setType(consoleType(c.type())).setHost(c.host())
                .setPort(c.port()).setPassword(c.password().orElse("")).setPath(c.path().orElse(""));
        c.expiresAt().ifPresent(t -> b.setExpiresAt(timestamp(t)));
        return b.build();
    }

    static io.quantix.proto.node.v1.Snapshot snapshot(Snapshot s) {
        return io.quantix.proto.node.v1.Snapshot.newBuilder().setName(s.name()).setParent(s.parent().orElse(""))
                .setCreatedAt(timestamp(s.createdAt())).setIncludesMemory(s.includesMemory()).setExternal(s.external())
                .setStateAtSnapshot(state(s.stateAtSnapshot())).setQuiesced(s.quiesced()).build();
    }

    static io.quantix.proto.node.v1.MigrationProgress progress(MigrationProgress p) {
        return io.quantix.proto.node.v1.MigrationProgress.newBuilder()
                .setPhase(phase(p.phase()))
                .setDataTotal(p.dataTotal()).setDataProcessed(p.dataProcessed()).setDataRemaining(p.dataRemaining())
                .setDirtyRate(p.dirtyRate()).setDowntimeMillis(p.downtimeMillis()).setElapsedMillis(p.elapsedMillis())
                .build();
    }

    static io.quantix.proto.node.v1.NodeInfo nodeInfo(NodeInfo n) {
        var b = io.quantix.proto.node.v1.NodeInfo.newBuilder().setId(n.id()).setName(n.name()).setHostname(n.hostname()).setVersion(n.version())
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
        var b = io.quantix.proto.node.v1.StoragePool.newBuilder()
                .setSpec(io.quantix.proto.node.v1.StoragePoolSpec.newBuilder().setName(p.spec().name())
                        .setBackend(p.spec().backend()).putAllOptions(p.spec().options()))
                .setStatus(availability(p.status())).setCapacity(p.capacity()).setAllocation(p.allocation())
                .setAvailable(p.available()).setMessage(p.message().orElse(""));
        p.measuredAt().ifPresent(at -> b.setMeasuredAt(timestamp(at)));
        return b.build();
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
                .setType(networkType(s.type())).setCidr(s.cidr().orElse(""))
                .setGateway(s.gateway().orElse("")).setDhcp(s.dhcp()).setVlanId(s.vlanId().orElse(0))
                .setBridge(s.bridge().orElse(""));
        return io.quantix.proto.node.v1.Network.newBuilder().setSpec(spec).setStatus(availability(n.status()))
                .setMessage(n.message().orElse("")).build();
    }

    static io.quantix.proto.node.v1.JoinToken joinToken(JoinToken t) {
        return io.quantix.proto.node.v1.JoinToken.newBuilder().setToken(t.token()).setExpiresAt(timestamp(t.expiresAt()))
                .setCaFingerprint(t.caFingerprint()).build();
    }

    static io.quantix.proto.node.v1.ClusterStatus clusterStatus(ClusterStatus s) {
        var b = io.quantix.proto.node.v1.ClusterStatus.newBuilder().setClustered(s.clustered()).setName(s.name().orElse(""))
                .setClusterId(s.clusterId().orElse("")).setLocalNodeId(s.localNodeId())
                .setZookeeperLeader(s.zookeeperLeader().orElse(""))
                .setQuorum(io.quantix.proto.node.v1.QuorumHealth.newBuilder().setVoters(s.quorum().voters())
                        .setVotersUp(s.quorum().votersUp()).setHasQuorum(s.quorum().hasQuorum()));
        for (ClusterMember m : s.members()) {
            var mb = io.quantix.proto.node.v1.ClusterMember.newBuilder().setId(m.id()).setName(m.name())
                    .addAllAddresses(m.addresses()).setRole(io.quantix.proto.node.v1.MemberRole.valueOf(m.role().name()))
                    .setZookeeperLeader(m.zookeeperLeader()).setOnline(m.online());
            m.lastHeartbeat().ifPresent(at -> mb.setLastHeartbeat(timestamp(at)));
            b.addMembers(mb);
        }
        return b.build();
    }

    static io.quantix.proto.node.v1.ClusterVm clusterVm(ClusterVm v) {
        return io.quantix.proto.node.v1.ClusterVm.newBuilder().setId(v.id()).setName(v.name()).setNodeId(v.nodeId())
                .setNodeName(v.nodeName()).setNodeState(nodeState(v.nodeState()))
                .setVcpus(v.vcpus()).setMemoryMib(v.memoryMiB()).setState(state(v.state())).setHypervisor(v.hypervisor())
                .setVersion(v.version()).addAllNameClash(v.nameClash()).build();
    }

    static io.quantix.proto.node.v1.NodeState nodeState(NodeState state) {
        return switch (state) {
            case ONLINE -> io.quantix.proto.node.v1.NodeState.ONLINE;
            case UNREACHABLE -> io.quantix.proto.node.v1.NodeState.UNREACHABLE;
        };
    }

    static io.quantix.proto.node.v1.DrsPlan drsPlan(DrsProposal p) {
        var b = io.quantix.proto.node.v1.DrsPlan.newBuilder().setImbalanceBefore(p.imbalanceBefore())
                .setImbalanceAfter(p.imbalanceAfter()).setSummary(p.summary()).setBasis(p.basis());
        for (DrsMove m : p.moves()) {
            b.addMoves(io.quantix.proto.node.v1.DrsMove.newBuilder().setVm(m.vm()).setFrom(m.from()).setTo(m.to())
                    .setImbalanceBefore(m.imbalanceBefore()).setImbalanceAfter(m.imbalanceAfter()).setReason(m.reason()));
        }
        return b.build();
    }
}
