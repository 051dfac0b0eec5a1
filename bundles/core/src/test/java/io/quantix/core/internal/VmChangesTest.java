package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.AttachedDisk;
import io.quantix.api.Capability;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.PoolUsage;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.agent.GuestAgents;
import io.quantix.api.agent.GuestAgent;
import io.quantix.api.PowerAction;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.StorageBackend;
import io.quantix.api.DirectBoot;
import io.quantix.api.IsoImage;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.util.function.Consumer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Hot-plug and snapshots through the core, over test doubles of the two SPIs that record what they are asked
 * and fail on demand: the rollback paths need a backend that fails at a chosen step, which no real backend
 * does on request. The real path runs against libvirtd in the libvirt module's LibvirtLiveChangesIT.
 */
class VmChangesTest {
    private final RecordingStorageDouble storage = new RecordingStorageDouble();
    private final List<AttachedDisk> attached = new ArrayList<>();
    private final List<String> resizedByHypervisor = new ArrayList<>();
    private StorageManager storageManager;
    private final List<Set<String>> retagged = new ArrayList<>();
    private final List<String> media = new ArrayList<>();
    private final List<Snapshot> snapshots = new ArrayList<>();
    private final List<MigrationSpec> migrations = new ArrayList<>();
    /** What the hypervisor was asked to do to a VM's power, and what its guest agent was asked. */
    private final List<String> powered = new ArrayList<>();
    private GuestAgentManager agentManager;
    @TempDir
    Path work;

    @Test
    void aDiskForAVmWhoseHypervisorCannotHotPlugIsRefusedBeforeAnyVolumeIsMade() {
        VmManager vms = node(Set.of(), false);

        assertCode(ErrorCode.UNSUPPORTED, () -> vms.attachDisk("web", DiskSpec.of("p", Validation.GIB)));
        assertEquals(List.of(), storage.created);
    }

    @Test
    void aDiskTheHypervisorFailsToPlugInLeavesNoVolumeBehind() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), true);

        assertCode(ErrorCode.BACKEND_ERROR, () -> vms.attachDisk("web", DiskSpec.of("p", Validation.GIB)));
        assertEquals(List.of("web-disk0"), storage.created);
        assertEquals(List.of("web-disk0"), storage.deleted);
        assertEquals(List.of(), attached);
    }

    @Test
    void anAttachedDiskIsNamedAfterTheVmAndShownOnIt() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);

        Vm vm = vms.attachDisk("web", DiskSpec.of("p", Validation.GIB));

        assertEquals(List.of(new VolumeRef("p", "web-disk0")), vm.disks().stream().map(AttachedDisk::volume).toList());
        assertEquals(List.of(), storage.deleted);
    }

    @Test
    void aNewDiskThatNamesNoFormatGetsThePoolsOwn() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);

        vms.attachDisk("web", DiskSpec.of("p", Validation.GIB));
        storage.capabilities = Set.of(Capability.QCOW2, Capability.RAW);
        vms.attachDisk("web", DiskSpec.of("p", Validation.GIB));
        vms.attachDisk("web", new DiskSpec("p", Validation.GIB, VolumeFormat.RAW, DiskBus.VIRTIO));

        List<VolumeFormat> raw0Qcow1Raw2 = List.of(VolumeFormat.RAW, VolumeFormat.QCOW2, VolumeFormat.RAW);
        assertEquals(raw0Qcow1Raw2, attached.stream().map(AttachedDisk::format).toList());
        assertEquals(raw0Qcow1Raw2, storageManager.listVolumes("p").stream().map(Volume::format).toList());
    }

    @Test
    void aPoolHoldingADiskOfAVmIsNotDeletedEvenWhenItsVolumesAreManagedOutside() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);
        storage.managedOutside = true;
        storageManager.createVolume("p", new VolumeSpec("lun1", Validation.GIB, VolumeFormat.RAW));
        vms.attachVolume("web", new VolumeRef("p", "lun1"));

        QuantixException e = assertThrows(QuantixException.class, () -> storageManager.deletePool("p"));

        assertEquals(ErrorCode.CONFLICT, e.code());
        assertEquals("pool 'p' holds disks of VM 'web'", e.getMessage());
        assertEquals(List.of(), storage.deleted);
    }

    @Test
    void snapshotsOfAVmWhoseHypervisorHasNoneAreUnsupported() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);

        assertCode(ErrorCode.UNSUPPORTED, () -> vms.snapshot("web", SnapshotSpec.of("s1")));
        assertCode(ErrorCode.UNSUPPORTED, () -> vms.snapshots("web"));
    }

    /** The VM has no guest agent here (no agent client serves its hypervisor): a freeze cannot be done. */
    @Test
    void aDiskOnlySnapshotOfARunningVmWithoutAnAgentIsTakenUnquiescedOrRefusedWhenQuiescingIsRequired() {
        VmManager vms = node(Set.of(Capability.SNAPSHOT), false);

        QuantixException refused = assertThrows(QuantixException.class, () -> vms.snapshot("web",
                new SnapshotSpec("s1", false, true, "", SnapshotSpec.Quiesce.REQUIRED)));
        assertEquals(ErrorCode.UNSUPPORTED, refused.code(), refused.getMessage());
        assertEquals(List.of(), snapshots, "nothing taken when quiescing was required and could not be done");

        Snapshot auto = vms.snapshot("web", new SnapshotSpec("s2", false, true, ""));
        assertFalse(auto.quiesced(), "taken crash-consistent, and says so");
        assertEquals(List.of("s2"), vms.snapshots("web").stream().map(Snapshot::name).toList());
        assertFalse(vms.snapshots("web").get(0).quiesced());
    }

    @Test
    void aSnapshotWithMemoryOrWithQuiescingOffNeverAsksTheAgent() {
        VmManager vms = node(Set.of(Capability.SNAPSHOT), false);

        // both would fail with REQUIRED if they asked for a freeze
        assertFalse(vms.snapshot("web", new SnapshotSpec("m", true, false, "", SnapshotSpec.Quiesce.REQUIRED)).quiesced());
        assertFalse(vms.snapshot("web", new SnapshotSpec("d", false, true, "", SnapshotSpec.Quiesce.OFF)).quiesced());
        assertEquals(2, snapshots.size());
    }

    @Test
    void theQuiescedMarkOutlivesARestartAndGoesWithTheSnapshot() {
        Path file = work.resolve("q.properties");
        QuiescedSnapshots marks = new QuiescedSnapshots(file);
        Snapshot taken = new Snapshot("s1", Optional.empty(), java.time.Instant.EPOCH, false, true, PowerState.RUNNING);
        marks.taken("vm-a", taken.withQuiesced(true));
        marks.taken("vm-a", new Snapshot("s2", Optional.empty(), java.time.Instant.EPOCH, false, true, PowerState.RUNNING));
        marks.taken("vm-b", taken.withQuiesced(true));

        QuiescedSnapshots reopened = new QuiescedSnapshots(file);
        assertTrue(reopened.of("vm-a", taken).quiesced());
        assertFalse(reopened.of("vm-a", new Snapshot("s2", Optional.empty(), java.time.Instant.EPOCH, false, true,
                PowerState.RUNNING)).quiesced());
        reopened.deleted("vm-a", "s1");
        reopened.vmDeleted("vm-b");
        QuiescedSnapshots after = new QuiescedSnapshots(file);
        assertFalse(after.of("vm-a", taken).quiesced(), "a deleted snapshot's mark is gone");
        assertFalse(after.of("vm-b", taken).quiesced(), "a deleted VM's marks are gone");
    }

    @Test
    void autostartOfAVmWhoseHypervisorHasNoneIsUnsupported() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);

        assertCode(ErrorCode.UNSUPPORTED, () -> vms.autostart("web"));
        assertCode(ErrorCode.UNSUPPORTED, () -> vms.setAutostart("web", true));
    }

    @Test
    void secureBootOnAHypervisorWithPlainUefiOnlyIsRefusedBeforeAnyVolumeIsMade() {
        VmManager vms = node(Set.of(Capability.UEFI), false);
        VmSpec spec = VmSpec.builder("sb").hypervisor("hv").firmware(Firmware.UEFI_SECURE_BOOT)
                .disk(DiskSpec.of("p", Validation.GIB)).build();

        assertCode(ErrorCode.UNSUPPORTED, () -> vms.create(spec, false));
        assertEquals(List.of(), storage.created);
    }

    @Test
    void badTagsAreRefusedBeforeTheHypervisorIsAskedAndGoodOnesReachIt() {
        VmManager vms = node(Set.of(), false);

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.retag("web", Set.of("ok", "not ok")));
        assertCode(ErrorCode.NOT_FOUND, () -> vms.retag("nosuch", Set.of("ok")));
        assertEquals(List.of(), retagged);
        vms.retag("web", Set.of("db"));
        assertEquals(List.of(Set.of("db")), retagged);
    }

    @Test
    void anIsoPathMustBeAbsoluteAndNormalised() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.changeMedia("web", Optional.of("/isos/../etc/shadow")));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.changeMedia("web", Optional.of("debian.iso")));
    }

    @Test
    void aRunningVmsDiskIsGrownByItsHypervisorNotBehindItsBack() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);
        vms.attachDisk("web", DiskSpec.of("p", Validation.GIB));

        Volume grown = storageManager.resizeVolume("p", "web-disk0", 2 * Validation.GIB);

        assertEquals(List.of("web-disk0:" + 2 * Validation.GIB), resizedByHypervisor);
        assertEquals(List.of(), storage.resizedOffline, "QEMU holds the image: qemu-img must not touch it");
        assertEquals(2 * Validation.GIB, grown.capacity());
    }

    @Test
    void shrinkingARunningVmsDiskIsRefusedBeforeAnythingIsAsked() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);
        vms.attachDisk("web", DiskSpec.of("p", Validation.GIB));

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> storageManager.resizeVolume("p", "web-disk0", 512 * Validation.MIB));
        assertEquals(List.of(), resizedByHypervisor);
        assertEquals(List.of(), storage.resizedOffline);
    }

    @Test
    void aVolumeNoVmRunsOnIsResizedByItsStorageBackend() {
        node(Set.of(Capability.HOT_PLUG), false);
        storageManager.createVolume("p", new VolumeSpec("spare", Validation.GIB, io.quantix.api.VolumeFormat.QCOW2));

        storageManager.resizeVolume("p", "spare", 2 * Validation.GIB);

        assertEquals(List.of("spare"), storage.resizedOffline);
        assertEquals(List.of(), resizedByHypervisor);
    }

    @Test
    void anExistingVolumeIsPluggedInOnceAndATemplateNever() {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);
        storageManager.createVolume("p", new VolumeSpec("web-root", Validation.GIB, io.quantix.api.VolumeFormat.QCOW2));
        storage.addTemplate("golden");

        Vm vm = vms.attachVolume("web", new VolumeRef("p", "web-root"));

        assertEquals(List.of(new VolumeRef("p", "web-root")), vm.disks().stream().map(AttachedDisk::volume).toList());
        assertCode(ErrorCode.CONFLICT, () -> vms.attachVolume("web", new VolumeRef("p", "web-root")));
        assertCode(ErrorCode.CONFLICT, () -> vms.attachVolume("web", new VolumeRef("p", "golden")));
        assertCode(ErrorCode.NOT_FOUND, () -> vms.attachVolume("web", new VolumeRef("p", "nosuch")));
        assertEquals(1, attached.size());
    }

    // ---- what an API client names on the host, and how much it may upload (EdgePolicy, checked in the core) ----

    @Test
    void anIsoPathOutsideTheAllowedFoldersIsRefusedAndTheDriveKeepsItsMedia() throws IOException {
        VmManager vms = node(Set.of(Capability.HOT_PLUG), false);
        Path escape = Files.createSymbolicLink(allowed().resolve("etc"), Path.of("/etc"));

        for (String path : List.of("/etc/shadow", escape.resolve("shadow").toString(), allowed() + "/../../etc/shadow")) {
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.changeMedia("web", Optional.of(path)));
        }
        assertEquals(List.of(), media);

        String iso = allowed().resolve("install.iso").toString();
        vms.changeMedia("web", Optional.of(iso));
        assertEquals(List.of(iso), media);
    }

    @Test
    void aDirectBootKernelOutsideTheAllowedFoldersIsRefusedBeforeAnythingIsMade() {
        VmManager vms = node(Set.of(), false);
        String initrd = allowed().resolve("initrd.img").toString();

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.create(VmSpec.builder("boot1").hypervisor("hv")
                .directBoot(new DirectBoot("/etc/shadow", initrd, "console=ttyS0"))
                .disk(DiskSpec.of("p", Validation.GIB)).build(), Optional.empty(), false));
        assertEquals(List.of(), storage.created);
    }

    @Test
    void aPoolPathOrKeyFileOutsideTheAllowedFoldersIsRefusedBeforeTheBackendLooksAtIt() {
        node(Set.of(), false);
        storage.hostPathOptions = Set.of("path", "keyring");

        for (Map<String, String> options : List.of(Map.of("path", "/etc"), Map.of("keyring", "/etc/shadow"),
                Map.of("path", allowed().toString(), "keyring", "/root/.ssh/id_rsa"))) {
            assertCode(ErrorCode.INVALID_ARGUMENT,
                    () -> storageManager.createPool(new StoragePoolSpec("q", "fake", options)));
        }
        assertEquals(List.of(), storage.probed);
    }

    @Test
    void aHostileMigrationUriIsRefusedBeforeTheHypervisorSeesIt() {
        VmManager vms = node(Set.of(Capability.LIVE_MIGRATION), false);

        assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.migrate("web",
                MigrationSpec.live("qemu+ext:///system?command=/bin/sh"), p -> { }));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> vms.migrate("web",
                MigrationSpec.live("qemu+ssh://node2/system?keyfile=/etc/shadow"), p -> { }));
        assertEquals(List.of(), migrations);
    }

    @Test
    void anUploadOverTheNodeLimitIsRefusedWhateverLimitTheClientGaveAndLeavesNothing() {
        node(Set.of(), false);
        storage.capabilities = Set.of(Capability.ISO_LIBRARY);

        // the node allows 1 MiB; the client claims it may send anything
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> storageManager.uploadIso("p", "big.iso",
                new ByteArrayInputStream(new byte[(int) Validation.MIB + 1]), Long.MAX_VALUE));
        assertEquals(List.of(), storageManager.listIsos("p"));

        // within both limits it is stored; the smaller of the two is what the backend enforces
        storageManager.uploadIso("p", "small.iso", new ByteArrayInputStream(new byte[4096]), 8192);
        assertEquals(List.of("small.iso"), storageManager.listIsos("p").stream().map(IsoImage::name).toList());
        assertEquals(List.of(Validation.MIB, 8192L), storage.uploadLimits);
    }

    private VmManager node(Set<Capability> capabilities, boolean attachFails) {
        Events events = new Events();
        BackendRegistry registry = new BackendRegistry(events);
        VmInventory inventory = new VmInventory(registry, new Revisions(work.resolve("revision.properties")),
                java.time.Duration.ofHours(1));
        ConfigurationAdmin configAdmin = configAdmin(Map.of(DefinitionStore.NAME, "p", "backend", "fake"));
        EdgePolicy policy = new EdgePolicy(List.of(allowed()), Validation.MIB);
        storageManager = new StorageManager(registry, events, configAdmin, inventory, policy);
        NetworkManager networkManager = new NetworkManager(registry, events, configAdmin(Map.of()), inventory,
                new NetworkTombstones(work.resolve("tombstones.properties")));
        registry.bindHypervisor(new RecordingHypervisorDouble(capabilities, attachFails), Map.of(Backend.PROPERTY, "hv"));
        registry.bindStorage(storage, Map.of(Backend.PROPERTY, "fake"));
        return new VmManager(registry, storageManager, networkManager, events, inventory, policy,
                new IntentJournal(work.resolve("intents")),
                agentManager = new GuestAgentManager(inventory, registry, policy, Duration.ZERO),
                new QuiescedSnapshots(work.resolve("quiesced-snapshots.properties")));
    }

    /** The one folder this test's node lets API clients name. */
    private Path allowed() {
        try {
            return Files.createDirectories(work.resolve("allowed"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Config Admin holding one storage pool definition, or none. */
    private static ConfigurationAdmin configAdmin(Map<String, String> pool) {
        Configuration config = (Configuration) Proxy.newProxyInstance(VmChangesTest.class.getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getPid" -> StorageManager.FACTORY_PID + "~p";
                    case "getProperties" -> {
                        Dictionary<String, Object> props = new Hashtable<>(pool);
                        yield props;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ConfigurationAdmin) Proxy.newProxyInstance(VmChangesTest.class.getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("listConfigurations")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return pool.isEmpty() ? null : new Configuration[] {config};
                });
    }

    private static void assertCode(ErrorCode expected, Runnable call) {
        QuantixException e = assertThrows(QuantixException.class, call::run);
        assertEquals(expected, e.code(), e.getMessage());
    }

    @Test
    void aGracefulShutdownOrRebootGoesThroughTheGuestAgentWhenItAnswersAndIsAcpiOtherwise() {
        VmManager vms = node(Set.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT), false);
        boolean[] agentAnswers = {true};
        GuestAgents client = id -> (GuestAgent) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {GuestAgent.class}, (proxy, method, args) -> {
                    if (method.getName().equals("shutdown")) {
                        if (!agentAnswers[0]) {
                            throw new QuantixException(ErrorCode.BACKEND_UNAVAILABLE, "the guest agent is not connected");
                        }
                        powered.add("agent " + args[0]);
                    }
                    return null;
                });
        agentManager.bindAgents(client, Map.of(Backend.PROPERTY, "hv"));

        vms.power("web", PowerAction.SHUTDOWN);
        vms.power("web", PowerAction.REBOOT);
        vms.power("web", PowerAction.FORCE_STOP);
        assertEquals(List.of("agent POWERDOWN", "agent REBOOT", "hypervisor FORCE_STOP"), powered);

        powered.clear();
        agentAnswers[0] = false;
        vms.power("web", PowerAction.SHUTDOWN);
        assertEquals(List.of("hypervisor SHUTDOWN"), powered, "ACPI when no agent answers");
    }

    /** One running VM, "web"; plugging a disk in fails if asked to. */
    private final class RecordingHypervisorDouble extends HypervisorDouble {
        private final Set<Capability> capabilities;
        private final boolean attachFails;

        RecordingHypervisorDouble(Set<Capability> capabilities, boolean attachFails) {
            this.capabilities = capabilities;
            this.attachFails = attachFails;
        }

        @Override
        public void attachDisk(String vm, AttachedDisk disk) {
            if (attachFails) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "libvirt: no free PCI slot");
            }
            attached.add(disk);
        }

        @Override
        public void resizeDisk(String vm, VolumeRef volume, long newSizeBytes) {
            resizedByHypervisor.add(volume.volume() + ":" + newSizeBytes);
            storage.grow(volume.volume(), newSizeBytes);
        }

        @Override
        public void updateTags(String vm, Set<String> tags) {
            retagged.add(tags);
        }

        @Override
        public void power(String vm, PowerAction action) {
            powered.add("hypervisor " + action);
        }

        @Override
        public Snapshot snapshot(String vm, SnapshotSpec spec) {
            Snapshot taken = new Snapshot(spec.name(), Optional.empty(), java.time.Instant.now(), spec.includeMemory(),
                    spec.diskOnly(), PowerState.RUNNING);
            snapshots.add(taken);
            return taken;
        }

        @Override
        public List<Snapshot> snapshots(String vm) {
            return List.copyOf(snapshots);
        }

        @Override
        public void changeMedia(String vm, Optional<String> isoPath) {
            isoPath.ifPresent(media::add);
        }

        @Override
        public MigrationProgress migrate(String vm, MigrationSpec spec, Consumer<MigrationProgress> progress) {
            migrations.add(spec);
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "no destination in this test");
        }

        @Override
        public List<Vm> list() {
            return List.of(new Vm("3f0c2a4e-8d7b-4c1e-9a6f-0b5d2e7c9a13", VmSpec.builder("web").hypervisor("hv").build(),
                    PowerState.RUNNING, attached, List.of()));
        }

        @Override
        public Set<Capability> capabilities() {
            return capabilities;
        }

        @Override
        public String description() {
            return "recording hypervisor";
        }
    }

    /** Records the volumes it creates, deletes and resizes. */
    private static final class RecordingStorageDouble implements StorageBackend {
        final List<String> created = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final List<String> resizedOffline = new ArrayList<>();
        Set<Capability> capabilities = Set.of(Capability.VOLUME_RESIZE);
        Set<String> hostPathOptions = Set.of();
        final List<String> probed = new ArrayList<>();
        final List<Long> uploadLimits = new ArrayList<>();
        private final List<IsoImage> isos = new ArrayList<>();
        boolean managedOutside;
        private final Map<String, Volume> volumes = new java.util.TreeMap<>();

        @Override
        public Volume createVolume(StoragePoolSpec pool, VolumeSpec spec) {
            created.add(spec.name());
            Volume v = new Volume(new VolumeRef(pool.name(), spec.name()), spec.format(), spec.sizeBytes(), 0,
                    new DiskSource.File("/pools/" + pool.name() + "/" + spec.name()));
            volumes.put(spec.name(), v);
            return v;
        }

        @Override
        public void deleteVolume(StoragePoolSpec pool, String volume) {
            deleted.add(volume);
            volumes.remove(volume);
        }

        @Override
        public List<Volume> volumes(StoragePoolSpec pool) {
            return List.copyOf(volumes.values());
        }

        @Override
        public PoolUsage probe(StoragePoolSpec pool) {
            probed.add(pool.name());
            return new PoolUsage(100 * Validation.GIB, 0, 100 * Validation.GIB);
        }

        @Override
        public Volume resizeVolume(StoragePoolSpec pool, String volume, long newSizeBytes) {
            resizedOffline.add(volume);
            return grow(volume, newSizeBytes);
        }

        void addTemplate(String name) {
            volumes.put(name, new Volume(new VolumeRef("p", name), io.quantix.api.VolumeFormat.QCOW2, Validation.GIB, 0,
                    new DiskSource.File("/pools/p/templates/" + name), true));
        }

        /** What the image looks like once something grew it. */
        Volume grow(String volume, long newSizeBytes) {
            Volume v = volumes.get(volume);
            Volume grown = new Volume(v.ref(), v.format(), newSizeBytes, v.allocation(), v.source());
            volumes.put(volume, grown);
            return grown;
        }

        @Override
        public Set<Capability> capabilities() {
            return capabilities;
        }

        @Override
        public boolean volumesManagedOutside() {
            return managedOutside;
        }

        @Override
        public Set<String> hostPathOptions() {
            return hostPathOptions;
        }

        @Override
        public List<IsoImage> isos(StoragePoolSpec pool) {
            return List.copyOf(isos);
        }

        /** Enforces the limit it is given as the real backends do (Uploads.copy): over it, nothing is kept. */
        @Override
        public IsoImage uploadIso(StoragePoolSpec pool, String name, InputStream data, long maxBytes) {
            uploadLimits.add(maxBytes);
            long size;
            try {
                size = data.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (size > maxBytes) {
                throw QuantixException.invalid("the upload is larger than the limit of " + maxBytes + " bytes");
            }
            IsoImage iso = new IsoImage(pool.name(), name, size, new DiskSource.File("/pools/p/isos/" + name));
            isos.add(iso);
            return iso;
        }

        @Override
        public String description() {
            return "recording storage";
        }
    }
}
